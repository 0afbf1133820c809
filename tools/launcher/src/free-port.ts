import { createServer } from "node:net";

/** A TCP port that is free on 127.0.0.1 right now (the kernel picks it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Rejects with a readable message when `host:port` cannot be listened on (in use, or not allowed). */
export function assertPortAvailable(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "EADDRINUSE"
          ? `Port ${port} on ${host} is already in use (another Switchboard?). Stop that program or choose another port: PORT=8081 npm start`
          : error.code === "EACCES"
            ? `Not allowed to listen on port ${port}; choose a port above 1023: PORT=8080 npm start`
            : `Cannot listen on ${host}:${port}: ${error.message}`;
      reject(new Error(reason));
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
