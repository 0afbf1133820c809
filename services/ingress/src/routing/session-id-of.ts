import { gatewayError, gatewayErrorCodes, maximumSessionIdLength, SwitchboardError, type ChatRequest } from "@switchboard/contracts";

/**
 * The session a request names for sticky routing: the body's `session_id`, else the `x-session-id` header
 * (OpenRouter: the body wins). An empty value names none. Throws a 400 for a header longer than OpenRouter
 * allows (the body field is checked by the request schema).
 */
export function sessionIdOf(request: Pick<ChatRequest, "session_id">, header: string | string[] | undefined): string | undefined {
  if (typeof request.session_id === "string" && request.session_id !== "") return request.session_id;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === "") return undefined;
  if (value.length > maximumSessionIdLength) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.invalidRequest, 400, `The x-session-id header must be at most ${maximumSessionIdLength} characters (it has ${value.length}).`, {
        metadata: { maximum_length: maximumSessionIdLength },
      }),
    );
  }
  return value;
}
