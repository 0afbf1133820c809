import { describe, expect, it } from "vitest";
import type { ChatRequest } from "@switchboard/contracts";
import { requestedInputModalities } from "./requested-input-modalities.js";

const withParts = (...types: string[]) => ({ model: "m", messages: [{ role: "user", content: types.map((type) => ({ type })) }] }) as unknown as ChatRequest;

describe("requestedInputModalities (issue 9)", () => {
  it.each([
    { parts: ["text"], modalities: [] },
    { parts: ["image_url"], modalities: ["image"] },
    { parts: ["file"], modalities: ["file"] },
    { parts: ["input_audio"], modalities: ["audio"] },
    { parts: ["video_url"], modalities: ["video"] },
    { parts: ["text", "image_url", "input_audio", "image_url"], modalities: ["image", "audio"] },
    // Unknown part types are the request checks' business, not a modality.
    { parts: ["constructor", "hologram"], modalities: [] },
  ])("$parts → $modalities", ({ parts, modalities }) => {
    expect(requestedInputModalities(withParts(...parts))).toEqual(modalities);
  });

  it("looks at every message, and a string content is text", () => {
    const request = {
      model: "m",
      messages: [
        { role: "system", content: "plain" },
        { role: "assistant", content: null },
        { role: "user", content: [{ type: "file", file: { filename: "a.pdf" } }] },
      ],
    } as unknown as ChatRequest;
    expect(requestedInputModalities(request)).toEqual(["file"]);
  });
});
