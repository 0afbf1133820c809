import type { FastifyReply } from "fastify";

/** Nobody is listening any more: end the exchange without an answer. */
export function abandon(reply: FastifyReply): FastifyReply {
  reply.hijack();
  reply.raw.destroy();
  return reply;
}
