import type { NatsConnection } from "@nats-io/transport-node";
import { serviceNames, type ServiceName } from "@switchboard/contracts";
import { busIdentities } from "@switchboard/messaging";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

/** The parts of the NATS services protocol's answers this test reads (https://github.com/nats-io/nats-architecture-and-design/blob/main/adr/ADR-32.md). */
interface ServiceAnswer {
  type: string;
  name: string;
  id: string;
  version: string;
}
interface InfoAnswer extends ServiceAnswer {
  endpoints: Array<{ name: string; subject: string; queue_group?: string }>;
}
interface StatsAnswer extends ServiceAnswer {
  started: string;
  endpoints: Array<{ name: string; subject: string; num_requests: number; num_errors: number }>;
}

/** Every answer to one `$SRV` request, as `nats micro ls` collects them: until none came for 300 ms. */
async function askAll<Answer>(connection: NatsConnection, subject: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  const replies = await connection.requestMany(subject, undefined, { strategy: "stall", stall: 300, maxWait: 5_000 });
  for await (const reply of replies) answers.push(reply.json<Answer>());
  return answers;
}

const natsServices = Object.values(serviceNames).sort();

/**
 * Issue 12: every NATS service (the four built with @nats-io/services) answers `$SRV.PING`, `$SRV.INFO`
 * and `$SRV.STATS`, asked on the locked-down bus the way an operator would: as the admin identity, the
 * only one allowed to ask (libs/messaging bus permissions). The stack's `stop()` fails the test if the
 * server refused anything on the way, the answers to the admin's inbox included.
 */
describe("service discovery ($SRV) on the locked-down bus", () => {
  let stack: TestStack;
  let operator: NatsConnection;

  beforeAll(async () => {
    stack = await startStack();
    operator = await stack.bus.connectAs(busIdentities.admin, "operator");
  });

  afterAll(async () => {
    await operator?.close();
    await stack?.stop();
  });

  it("answers PING from each of the four services, and a PING by name from that service only", async () => {
    const pongs = await askAll<ServiceAnswer>(operator, "$SRV.PING");
    expect(pongs.map((pong) => pong.name).sort()).toEqual(natsServices);
    for (const pong of pongs) expect(pong).toMatchObject({ type: "io.nats.micro.v1.ping_response", id: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+/) });

    const billing = await askAll<ServiceAnswer>(operator, `$SRV.PING.${serviceNames.billing}`);
    expect(billing.map((pong) => pong.name)).toEqual([serviceNames.billing]);
    const instance = billing[0] as ServiceAnswer;
    expect((await askAll<ServiceAnswer>(operator, `$SRV.PING.${instance.name}.${instance.id}`)).map((pong) => pong.id)).toEqual([instance.id]);
  });

  it("answers INFO with each service's endpoints in its own subject group and queue group", async () => {
    const infos = await askAll<InfoAnswer>(operator, "$SRV.INFO");
    expect(infos.map((info) => info.name).sort()).toEqual(natsServices);
    const subjects = stack.subjects;
    const groups: Record<string, string> = {
      [serviceNames.router]: subjects.routerGroup,
      [serviceNames.connector]: subjects.connectorGroup,
      [serviceNames.billing]: subjects.billingGroup,
      [serviceNames.logging]: subjects.loggingGroup,
    };
    for (const info of infos) {
      expect(info.type).toBe("io.nats.micro.v1.info_response");
      expect(info.endpoints.length, info.name).toBeGreaterThan(0);
      for (const endpoint of info.endpoints) {
        expect(endpoint.subject.startsWith(`${groups[info.name]}.`), `${info.name}: ${endpoint.subject}`).toBe(true);
        expect(endpoint.queue_group, endpoint.subject).toBe(subjects.queueGroup(info.name as ServiceName));
      }
    }
    const served = infos.flatMap((info) => info.endpoints.map((endpoint) => endpoint.subject));
    expect(served).toEqual(expect.arrayContaining([subjects.connectorGenerate, subjects.billingReserve, subjects.routerListModels, subjects.loggingGetGeneration]));
  });

  it("answers STATS whose request counts move with the requests the services handled", async () => {
    const countOf = (stats: StatsAnswer[], subject: string) =>
      stats.flatMap((answer) => answer.endpoints).find((endpoint) => endpoint.subject === subject)?.num_requests ?? -1;
    const before = await askAll<StatsAnswer>(operator, "$SRV.STATS");
    expect(before.map((stats) => stats.name).sort()).toEqual(natsServices);
    for (const stats of before) expect(stats).toMatchObject({ type: "io.nats.micro.v1.stats_response", started: expect.any(String) });

    const { key } = await stack.createFundedKey("1.00");
    const client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "count me" }] });
    await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "count me too" }] });

    const after = await askAll<StatsAnswer>(operator, "$SRV.STATS");
    expect(countOf(after, stack.subjects.connectorGenerate) - countOf(before, stack.subjects.connectorGenerate)).toBe(2);
    for (const stats of after) for (const endpoint of stats.endpoints) expect(endpoint.num_errors, endpoint.subject).toBe(0);
  });
});
