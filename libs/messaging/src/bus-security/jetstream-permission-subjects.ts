/**
 * The JetStream API subjects one client role needs, for the permission model. JetStream is driven by
 * requests on `$JS.API.>` (https://docs.nats.io/reference/reference-protocols/nats_api_reference), so
 * allowing a role on a stream or consumer means allowing these request subjects and nothing broader:
 * no `STREAM.DELETE`, no `STREAM.PURGE`, no other stream's consumers.
 */
export const jetStreamPermissionSubjects = {
  /** `jetstreamManager()` asks for the account's JetStream information first. */
  accountInfo: "$JS.API.INFO",

  /** Creating a stream or bringing it to our configuration (`ensureFactsStream`, the KV bucket's creator). */
  manageStream(stream: string): string[] {
    return [`$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.CREATE.${stream}`, `$JS.API.STREAM.UPDATE.${stream}`];
  },

  /**
   * Creating, reading and pulling from one durable consumer, and acknowledging its messages. NATS 2.9
   * creates a filtered durable as `CONSUMER.CREATE.<stream>.<durable>.<filter>`; older clients use
   * `CONSUMER.DURABLE.CREATE`.
   */
  pullDurableConsumer(stream: string, durable: string): string[] {
    return [
      `$JS.API.CONSUMER.CREATE.${stream}.${durable}`,
      `$JS.API.CONSUMER.CREATE.${stream}.${durable}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
      `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
      `$JS.ACK.${stream}.${durable}.>`,
    ];
  },

  /** Reading a stream's state and any of its messages by sequence (`streams.info`, `streams.getMessage`). */
  readStream(stream: string): string[] {
    return [`$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.MSG.GET.${stream}`];
  },

  /**
   * Reading the last message of a subject in `stream` (a KV `get`): direct get when the stream allows it,
   * as the KV buckets nats.js creates do, else the stream's message-get API.
   */
  readLastMessage(stream: string): string[] {
    return [`$JS.API.DIRECT.GET.${stream}.>`, `$JS.API.STREAM.MSG.GET.${stream}`];
  },

  /** Published by the server when `stream` is created; a reader waiting for the stream subscribes to it. */
  streamCreatedAdvisory(stream: string): string {
    return `$JS.EVENT.ADVISORY.STREAM.CREATED.${stream}`;
  },

  /**
   * Watching a stream through ordered push consumers (a KV watch): each is an ephemeral consumer created
   * with a generated name, replaced after a gap, and answers the server's flow control on `$JS.FC`.
   */
  watchStream(stream: string): string[] {
    return [
      `$JS.API.CONSUMER.CREATE.${stream}`,
      `$JS.API.CONSUMER.CREATE.${stream}.>`,
      `$JS.API.CONSUMER.INFO.${stream}.*`,
      `$JS.API.CONSUMER.DELETE.${stream}.*`,
      `$JS.FC.${stream}.>`,
    ];
  },
};
