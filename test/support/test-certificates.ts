import { execFileSync } from "node:child_process";
import path from "node:path";

/** A certificate authority and a server certificate for 127.0.0.1 it signed, as PEM files. */
export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Makes throwaway certificates with the machine's openssl, valid for one day. */
export function createTestCertificates(directory: string): TestCertificates {
  const file = (name: string) => path.join(directory, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=switchboard test CA", "-keyout", file("ca-key.pem"), "-out", file("ca.pem"));
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", file("server-key.pem"), "-out", file("server.csr"));
  const extensions = file("server.ext");
  execFileSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > '${extensions}'`]);
  openssl("x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca-key.pem"), "-CAcreateserial", "-days", "1", "-extfile", extensions, "-out", file("server.pem"));
  return { caFile: file("ca.pem"), certFile: file("server.pem"), keyFile: file("server-key.pem") };
}
