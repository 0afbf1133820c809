import type { FastifyReply } from "fastify";

/**
 * An AbortSignal that fires when the client disconnects before the response is complete; watched from the
 * start, so a client that leaves while we route and reserve still cancels the upstream call.
 */
export function abortOnClientGone(reply: FastifyReply): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.on("close", onClose);
  // The socket may have closed before this listener existed (a client that gave up at once).
  if (reply.raw.destroyed || reply.raw.socket?.destroyed) controller.abort();
  return { signal: controller.signal, dispose: () => reply.raw.off("close", onClose) };
}
