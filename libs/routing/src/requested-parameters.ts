import type { ChatRequest } from "@switchboard/contracts";

/**
 * Request fields that are parameters in the catalog's `supported_parameters` vocabulary (OpenRouter's
 * model listing), each mapped to the name the catalog uses.
 */
const parameterNames: ReadonlyMap<string, string> = new Map(
  Object.entries({
    temperature: "temperature",
    top_p: "top_p",
    top_k: "top_k",
    min_p: "min_p",
    top_a: "top_a",
    frequency_penalty: "frequency_penalty",
    presence_penalty: "presence_penalty",
    repetition_penalty: "repetition_penalty",
    max_tokens: "max_tokens",
    // The catalog names one output cap; OpenRouter's listings use `max_tokens` for both.
    max_completion_tokens: "max_tokens",
    logit_bias: "logit_bias",
    logprobs: "logprobs",
    top_logprobs: "top_logprobs",
    seed: "seed",
    response_format: "response_format",
    stop: "stop",
    tools: "tools",
    tool_choice: "tool_choice",
    parallel_tool_calls: "parallel_tool_calls",
    include_reasoning: "include_reasoning",
    reasoning: "reasoning",
    reasoning_effort: "reasoning_effort",
    web_search_options: "web_search_options",
    verbosity: "verbosity",
    prediction: "prediction",
  }),
);

/** The catalog's `supported_parameters` name of a request field, or undefined for a field outside that vocabulary. */
export function catalogParameterName(field: string): string | undefined {
  return parameterNames.get(field);
}

/**
 * The parameters a request uses (set and not null), for `provider.require_parameters`: only endpoints
 * supporting all of them may serve it.
 */
export function requestedParameters(request: ChatRequest): string[] {
  const used = new Set<string>();
  const fields = request as Record<string, unknown>;
  for (const field in fields) {
    // A Map, not an object lookup: a field named `constructor` must not find Object's.
    const name = parameterNames.get(field);
    if (name !== undefined && fields[field] !== undefined && fields[field] !== null) used.add(name);
  }
  return [...used];
}
