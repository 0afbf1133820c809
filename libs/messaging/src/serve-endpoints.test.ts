import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { gatewayError, gatewayErrorCodes, hasControlCharacters, SwitchboardError } from "@switchboard/contracts";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { requestReply } from "./request-reply.js";
import { defineEndpoint, serveEndpoints, type ServedEndpoints } from "./serve-endpoints.js";

/** The machine's NATS, as the integration tests use it (test/support/test-nats.ts). */
const natsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const hostile = "model\r\nNats-Service-Error: forged\u0000\u0085\u2028" + "x".repeat(10_000);

/**
 * Issue 6: an error whose message repeated a client's CR/LF went into a NATS header, the NATS client threw
 * while answering, and the unhandled rejection ended the process. Every failure must be answered instead.
 */
describe("serveEndpoints answers every failure", () => {
  const namespace = `unit${randomBytes(5).toString("hex")}`;
  const subject = (name: string) => `${namespace}.test.v1.${name}`;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  let connection: NatsConnection;
  let served: ServedEndpoints;

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    connection = await connect({ servers: natsUrl, name: "serve-endpoints-test" });
    served = await serveEndpoints(connection, {
      name: "hostile-test",
      version: "0.1.0",
      description: "endpoints that fail in every way",
      queue: `${namespace}-queue`,
      logger: pino({ level: "silent" }),
      endpoints: [
        defineEndpoint({
          subject: subject("refuse"),
          requestSchema: z.object({ model: z.string() }),
          handler: async (request) => {
            throw new SwitchboardError(gatewayError(gatewayErrorCodes.modelNotFound, 400, `${request.model} is not a valid model ID`));
          },
        }),
        defineEndpoint({
          subject: subject("crash"),
          requestSchema: z.object({}),
          handler: async () => {
            throw new Error(hostile);
          },
        }),
        defineEndpoint({
          subject: subject("strict"),
          requestSchema: z.strictObject({ name: z.string() }),
          handler: async () => ({ ok: true }),
        }),
        defineEndpoint({
          subject: subject("unserializable"),
          requestSchema: z.object({}),
          handler: async () => ({ amount: 1n }),
        }),
        defineEndpoint({ subject: subject("echo"), requestSchema: z.object({ text: z.string() }), handler: async (request) => request }),
        defineEndpoint({
          subject: subject("answers-itself"),
          requestSchema: z.object({ text: z.string() }),
          answersItself: true,
          handler: async (request, { message }) => {
            if (request.text === "refuse") throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "refused"));
            if (message.reply) connection.publish(message.reply, JSON.stringify({ own: request.text }));
            return { ignored: true };
          },
        }),
      ],
    });
  });

  afterEach(async () => {
    // Rejections surface on a later tick: give them the chance before looking.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });

  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await served?.stop();
    await connection?.close();
  });

  const call = (name: string, payload: unknown) => requestReply(connection, subject(name), payload, z.unknown(), { timeoutMs: 2_000 });

  it("answers a refusal whose message holds CR, LF and NUL, with the full message in the body", async () => {
    const error = await call("refuse", { model: hostile }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).error).toMatchObject({ code: "model_not_found", status: 400, message: `${hostile} is not a valid model ID` });
  });

  it("answers an unexpected exception with CR/LF in its message as a detail-free 500", async () => {
    const error = await call("crash", {}).catch((thrown: unknown) => thrown);
    expect((error as SwitchboardError).error).toMatchObject({ code: "internal", status: 500, message: "Internal error" });
  });

  it("answers a request whose unknown keys hold CR/LF with a bounded 400 naming them quoted", async () => {
    const keys = Object.fromEntries(Array.from({ length: 20 }, (_value, index) => [`bad\r\n${index}${"k".repeat(1_000)}`, 1]));
    const error = await call("strict", { name: "x", ...keys }).catch((thrown: unknown) => thrown);
    const gateway = (error as SwitchboardError).error;
    expect(gateway).toMatchObject({ code: "invalid_request", status: 400 });
    expect(gateway.message).toMatch(/^Invalid request: unrecognized keys "bad\\r\\n0k+…", /);
    expect(hasControlCharacters(gateway.message)).toBe(false);
    expect(gateway.message.length).toBeLessThan(500);
  });

  it("answers a reply that cannot be serialized, and a request that is not JSON", async () => {
    expect(((await call("unserializable", {}).catch((thrown: unknown) => thrown)) as SwitchboardError).error).toMatchObject({ status: 500 });
    const reply = await connection.request(subject("echo"), "not json\r\n\u0000", { timeout: 2_000 });
    expect(reply.headers?.get("Nats-Service-Error-Code")).toBe("400");
  });

  it("sends nothing of its own for a handler that answers itself, but still answers what it throws", async () => {
    const answers: string[] = [];
    const inbox = `${namespace}.inbox`;
    const subscription = connection.subscribe(inbox, { callback: (_error, message) => void answers.push(message.string()) });
    connection.publish(subject("answers-itself"), JSON.stringify({ text: "hello" }), { reply: inbox });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers).toEqual([JSON.stringify({ own: "hello" })]);
    subscription.unsubscribe();
    await expect(call("answers-itself", { text: "refuse" })).rejects.toMatchObject({ error: { status: 400, message: "refused" } });
  });

  it("keeps serving afterwards", async () => {
    expect(await call("echo", { text: "still here\r\n" })).toEqual({ text: "still here\r\n" });
  });
});
