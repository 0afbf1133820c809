import type { ChatRequest } from "@switchboard/contracts";

/**
 * Content part types that carry an input other than text, each mapped to the modality the catalog lists
 * in a model's `input_modalities` (OpenRouter's model listing vocabulary).
 */
const partModalities: ReadonlyMap<string, string> = new Map(
  Object.entries({
    image_url: "image",
    file: "file",
    input_audio: "audio",
    video_url: "video",
  }),
);

/**
 * The modalities besides text that a request's messages carry, in the order first met; empty for a
 * text-only request. Only models taking all of them may serve it. Part types unknown here are left to the
 * request checks: they are no modality any model lists.
 */
export function requestedInputModalities(request: ChatRequest): string[] {
  const used = new Set<string>();
  for (const message of request.messages) {
    const content = (message as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    for (const part of content as { type: string }[]) {
      const modality = partModalities.get(part.type);
      if (modality !== undefined) used.add(modality);
    }
  }
  return [...used];
}
