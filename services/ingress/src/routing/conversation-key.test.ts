import { SwitchboardError, type ChatMessage } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { conversationKey, sessionIdOf } from "./conversation-key.js";

const opening: ChatMessage[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "What is a prompt cache?" },
];

describe("conversationKey", () => {
  it("is the same as the conversation grows, since only its opening is hashed", () => {
    const first = conversationKey("account-1", { model: "vendor/model", messages: opening }, undefined);
    const later = conversationKey(
      "account-1",
      { model: "vendor/model", messages: [...opening, { role: "assistant", content: "A stored prefix." }, { role: "user", content: "Thanks" }] },
      undefined,
    );
    expect(later).toBe(first);
  });

  it("differs by account, by model, by system prompt and by first message", () => {
    const base = conversationKey("account-1", { model: "vendor/model", messages: opening }, undefined);
    const variants = [
      conversationKey("account-2", { model: "vendor/model", messages: opening }, undefined),
      conversationKey("account-1", { model: "vendor/other", messages: opening }, undefined),
      conversationKey("account-1", { model: "vendor/model", messages: [{ role: "system", content: "You are verbose." }, opening[1] as ChatMessage] }, undefined),
      conversationKey("account-1", { model: "vendor/model", messages: [opening[0] as ChatMessage, { role: "user", content: "Another question" }] }, undefined),
      // A developer message is the conversation's instructions too, but a different role is a different opening.
      conversationKey("account-1", { model: "vendor/model", messages: [{ role: "developer", content: "You are terse." }, opening[1] as ChatMessage] }, undefined),
      // The text moved from one message to the other is not the same opening.
      conversationKey("account-1", { model: "vendor/model", messages: [{ role: "system", content: "You are terse.What is" }, { role: "user", content: " a prompt cache?" }] }, undefined),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("uses the first model of `models` when `model` is absent", () => {
    expect(conversationKey("account-1", { models: ["vendor/model", "vendor/other"], messages: opening }, undefined)).toBe(
      conversationKey("account-1", { model: "vendor/model", messages: opening }, undefined),
    );
  });

  it("hashes content given as parts, and a conversation without a system prompt", () => {
    const parts = conversationKey("account-1", { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }, undefined);
    const text = conversationKey("account-1", { model: "m", messages: [{ role: "user", content: "hi" }] }, undefined);
    expect(parts).not.toBe(text);
    expect(text).toMatch(/^account-1\nm\nopening:[A-Za-z0-9_-]{43}$/);
  });

  it("with a session id, is the session's whatever the messages, and holds no prompt text", () => {
    const key = conversationKey("account-1", { model: "vendor/model", messages: opening }, "session-7");
    expect(key).toBe(conversationKey("account-1", { model: "vendor/model", messages: [{ role: "user", content: "anything" }] }, "session-7"));
    expect(key).toBe("account-1\nvendor/model\nsession:session-7");
    expect(conversationKey("account-1", { model: "vendor/model", messages: opening }, undefined)).not.toContain("terse");
  });
});

describe("sessionIdOf", () => {
  it("takes the body's session_id over the header, and the header without one", () => {
    expect(sessionIdOf({ session_id: "from-body" }, "from-header")).toBe("from-body");
    expect(sessionIdOf({}, "from-header")).toBe("from-header");
    expect(sessionIdOf({ session_id: "" }, "from-header")).toBe("from-header");
    expect(sessionIdOf({}, undefined)).toBeUndefined();
    expect(sessionIdOf({}, "")).toBeUndefined();
  });

  it("refuses a header longer than 256 characters with a 400 that says so", () => {
    expect(sessionIdOf({}, "s".repeat(256))).toHaveLength(256);
    let thrown: unknown;
    try {
      sessionIdOf({}, "s".repeat(257));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).error).toMatchObject({ status: 400, message: expect.stringContaining("at most 256 characters") });
  });
});
