import type { ChatRequest, UpstreamWarning } from "@switchboard/contracts";

/**
 * The warning for a reasoning request sent as a nearby value the endpoint takes rather than as asked (a
 * Gemini 3 effort as another thinking level, issue 11), so the change is not silent: it names the
 * parameter the client used in the generation record's list of parameters not sent as given. The warning
 * format has one kind, `unsupported-parameter`, which says the parameter was not honoured as given; it
 * carries no value, as values can hold prompt text. Not a refusal under `provider.require_parameters`:
 * the model still reasons at the level nearest the one asked.
 */
export function reasoningChangedWarning(request: ChatRequest): UpstreamWarning {
  return { type: "unsupported-parameter", parameter: request.reasoning !== undefined ? "reasoning" : "reasoning_effort" };
}
