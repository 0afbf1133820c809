import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

/**
 * Lets a graceful close end the connections that carry no response in progress. Node's server.close()
 * ends only the connections its parser counts as idle; a keep-alive connection left beside a streamed
 * request whose client aborted before the headers was counted as busy and held close() for fastify's
 * keep-alive timeout (72 s). Connections with a response still being written are left to finish, and
 * end once it has.
 */
export function closeQuietConnections(app: FastifyInstance): void {
  const sockets = new Set<Socket>();
  const responses = new Map<Socket, number>();
  let closing = false;
  app.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      responses.delete(socket);
    });
  });
  app.addHook("onRequest", async (request, reply) => {
    const socket = request.raw.socket;
    responses.set(socket, (responses.get(socket) ?? 0) + 1);
    reply.raw.once("close", () => {
      const left = (responses.get(socket) ?? 1) - 1;
      if (left > 0) {
        responses.set(socket, left);
        return;
      }
      responses.delete(socket);
      if (closing) socket.destroy();
    });
  });
  app.addHook("preClose", async () => {
    closing = true;
    for (const socket of sockets) if (!responses.has(socket)) socket.destroy();
  });
}
