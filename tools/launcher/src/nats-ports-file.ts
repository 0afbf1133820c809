/** nats-server writes `<ports_file_dir>/nats-server_<pid>.ports` once it listens (`--ports_file_dir`). */
export function natsPortsFileName(pid: number): string {
  return `nats-server_${pid}.ports`;
}

/** The client URL from a ports file such as `{"nats":["nats://127.0.0.1:45609"],"monitoring":[…]}`. */
export function parseNatsPortsFile(text: string): string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`nats-server's ports file is not JSON: ${text.slice(0, 200)}`);
  }
  const urls = (document as { nats?: unknown } | null)?.nats;
  const url = Array.isArray(urls) ? urls.find((candidate): candidate is string => typeof candidate === "string" && candidate.startsWith("nats://")) : undefined;
  if (url === undefined) throw new Error(`nats-server's ports file lists no client URL: ${text.slice(0, 200)}`);
  return url;
}
