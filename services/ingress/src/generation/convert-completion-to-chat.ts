import { chatRequestSchema, completionRequestSchema, gatewayError, gatewayErrorCodes, invalidRequestError, SwitchboardError, type ChatRequest } from "@switchboard/contracts";

/** The completions fields that have no chat counterpart and are consumed here, never forwarded. */
const completionOnlyFields = new Set(["prompt", "echo", "suffix", "best_of", "logprobs"]);

function unsupported(message: string, parameter: string): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.unsupportedParameter, 400, message, { metadata: { parameter } }));
}

/** A legacy completions request served on chat, and how its answer is shaped back. */
export interface CompletionOnChat {
  chat: ChatRequest;
  /** Completions' `logprobs` count (alternatives per token), or null when none were asked for. */
  logprobs: number | null;
}

/**
 * Translates a POST /api/v1/completions body onto chat, as OpenRouter serves legacy completions on
 * providers without them: the prompt becomes one user message, `logprobs: N` becomes chat's
 * `logprobs: true, top_logprobs: N`, every other field is chat's own and validated as chat validates it.
 * What chat cannot express is refused with a 400 naming the parameter, never approximated: several
 * prompts in one request (each would be a generation of its own), token-id prompts (no tokenizer here),
 * `echo`, `suffix` and `best_of` above 1.
 */
export function convertCompletionToChat(body: unknown): CompletionOnChat {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Request body must be a JSON object with `model` and `prompt`."));
  }
  const parsed = completionRequestSchema.safeParse(body);
  if (!parsed.success) throw new SwitchboardError(invalidRequestError(parsed.error));
  const request = parsed.data;
  const prompt = promptText(request.prompt);
  if (request.echo === true) throw unsupported("echo is not supported: the prompt is not repeated in the completion.", "echo");
  if (request.suffix !== undefined && request.suffix !== null && request.suffix !== "") throw unsupported("suffix (insertion) is not supported.", "suffix");
  if (request.best_of !== undefined && request.best_of !== null && request.best_of !== 1) throw unsupported("best_of: only one completion per request is supported; send best_of: 1 or leave it out.", "best_of");
  const chat: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) if (!completionOnlyFields.has(field)) chat[field] = value;
  chat["messages"] = [{ role: "user", content: prompt }];
  const logprobs = request.logprobs ?? null;
  if (logprobs !== null) {
    chat["logprobs"] = true;
    chat["top_logprobs"] = logprobs;
  }
  const translated = chatRequestSchema.safeParse(chat);
  if (!translated.success) throw new SwitchboardError(invalidRequestError(translated.error));
  return { chat: translated.data, logprobs };
}

function promptText(prompt: string | string[] | number[] | number[][]): string {
  if (typeof prompt === "string") return prompt;
  if (prompt.every((item): item is string => typeof item === "string")) {
    if (prompt.length === 1) return prompt[0] as string;
    throw unsupported("prompt: only one prompt per request is supported; send a string or an array of one string.", "prompt");
  }
  throw unsupported("prompt: token-id prompts are not supported; send the prompt as text.", "prompt");
}
