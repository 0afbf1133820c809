import type { ChatMessage } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { conversationKey } from "./conversation-key.js";

const opening: ChatMessage[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "What is a prompt cache?" },
];

describe("conversationKey", () => {
  it("is the same as the conversation grows, since only its opening is hashed", () => {
    const later = [...opening, { role: "assistant", content: "A stored prefix." }, { role: "user", content: "Thanks" }] as ChatMessage[];
    expect(conversationKey(later, undefined)).toBe(conversationKey(opening, undefined));
  });

  it("differs by system prompt and by first message", () => {
    const base = conversationKey(opening, undefined);
    const variants = [
      conversationKey([{ role: "system", content: "You are verbose." }, opening[1] as ChatMessage], undefined),
      conversationKey([opening[0] as ChatMessage, { role: "user", content: "Another question" }], undefined),
      // A developer message is the conversation's instructions too, but a different role is a different opening.
      conversationKey([{ role: "developer", content: "You are terse." }, opening[1] as ChatMessage], undefined),
      // The text moved from one message to the other is not the same opening.
      conversationKey([{ role: "system", content: "You are terse.What is" }, { role: "user", content: " a prompt cache?" }], undefined),
      // Nor is text moved from one part to the next.
      conversationKey([opening[0] as ChatMessage, { role: "user", content: [{ type: "text", text: "What is a" }, { type: "text", text: " prompt cache?" }] }], undefined),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("hashes only the text of content parts, so a cache_control breakpoint that moves keeps the conversation", () => {
    const marked = [{ type: "text", text: "What is a prompt cache?", cache_control: { type: "ephemeral" } }];
    const unmarked = [{ type: "text", text: "What is a prompt cache?" }];
    const withMark = conversationKey([opening[0] as ChatMessage, { role: "user", content: marked } as ChatMessage], undefined);
    expect(withMark).toBe(conversationKey([opening[0] as ChatMessage, { role: "user", content: unmarked } as ChatMessage], undefined));
    expect(conversationKey([{ role: "user", content: "hi" }], undefined)).toMatch(/^opening:[A-Za-z0-9_-]{43}$/);
  });

  it("with a session id, is the session's whatever the messages, and holds no prompt text", () => {
    expect(conversationKey(opening, "session-7")).toBe(conversationKey([{ role: "user", content: "anything" }], "session-7"));
    expect(conversationKey(opening, "session-7")).toBe("session:session-7");
    expect(conversationKey(opening, undefined)).not.toContain("terse");
  });
});
