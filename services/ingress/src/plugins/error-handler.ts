import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError } from "@switchboard/contracts";
import fastifyPlugin from "fastify-plugin";
import { JsonBodyError, parseJsonBody } from "./parse-json-body.js";
import { errorFromThrown, sendError } from "./send-error.js";

/**
 * Every error leaves in OpenRouter's shape `{"error":{"code","message","metadata"}}`: thrown errors, body
 * parsing failures and unknown routes alike. JSON bodies go through a depth-limited parser.
 */
export const errorHandlerPlugin = fastifyPlugin(
  async (app) => {
    // Only JSON is accepted: fastify's text/plain parser would turn a JSON body sent as text into a string
    // and the client would get a confusing "must be a JSON object" instead of "send application/json".
    app.removeContentTypeParser(["application/json", "text/plain"]);
    app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        const message = error instanceof JsonBodyError ? error.message : "Request body is not valid JSON";
        done(Object.assign(new Error(message), { statusCode: 400 }), undefined);
      }
    });
    app.setErrorHandler((thrown, request, reply) => {
      const error = errorFromThrown(thrown);
      // A GatewayError is logged by its identity only: provider text in its metadata may quote the
      // prompt. Anything else is our own bug and is logged whole, stack included.
      if (error.status >= 500) {
        const details = thrown instanceof SwitchboardError ? { code: error.code, status: error.status, errorMessage: error.message } : { err: thrown };
        request.log.error(details, "request failed");
      }
      if (reply.raw.headersSent) {
        reply.raw.destroy();
        return;
      }
      return sendError(reply, error);
    });
    app.setNotFoundHandler((request, reply) =>
      sendError(reply, gatewayError(gatewayErrorCodes.notFound, 404, `No route ${request.method} ${quoteUserText(request.url.split("?")[0] ?? "")}. The API lives under /api/v1.`)),
    );
  },
  { name: "error-handler" },
);
