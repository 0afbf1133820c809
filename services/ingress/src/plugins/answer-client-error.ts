import type { Socket } from "node:net";
import { gatewayError, gatewayErrorCodes, type GatewayError } from "@switchboard/contracts";
import { toHttpErrorBody } from "./send-error.js";

/**
 * Answers a request Node's HTTP parser refused before fastify saw it (a NUL or lone CR in a header, a
 * header block over the limit, a malformed request line), in OpenRouter's error shape like every other
 * refusal, then closes the connection: after a parse error nothing more can be read from it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const refusal = describeClientError(error.code);
  if (socket.writable) {
    const body = JSON.stringify(toHttpErrorBody(refusal));
    socket.write(
      `HTTP/1.1 ${refusal.status} ${statusText(refusal.status)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function describeClientError(code: string | undefined): GatewayError {
  switch (code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return gatewayError(gatewayErrorCodes.invalidRequest, 408, "The request took too long to arrive.");
    case "HPE_HEADER_OVERFLOW":
      return gatewayError(gatewayErrorCodes.invalidRequest, 431, "The request headers are larger than this server accepts.");
    default:
      return gatewayError(gatewayErrorCodes.invalidRequest, 400, "The request is not valid HTTP (for example a control character in a header).");
  }
}

function statusText(status: number): string {
  return status === 408 ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request";
}
