import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError } from "@switchboard/contracts";
import fastifyPlugin from "fastify-plugin";
import { promptTokenUpperBound } from "../generation/estimate-tokens.js";
import { JsonBodyError, parseJsonBody } from "./parse-json-body.js";
import { scanJsonText } from "./scan-json-text.js";
import { errorFromThrown, sendError } from "./send-error.js";

/**
 * Every error leaves in OpenRouter's shape `{"error":{"code","message","metadata"}}`: thrown errors, body
 * parsing failures and unknown routes alike. JSON bodies go through a depth-limited parser.
 */
declare module "fastify" {
  interface FastifyRequest {
    /** promptTokenUpperBound of the raw JSON body, measured once as it is parsed; 0 without a body. */
    promptBytes: number;
  }
}

export const errorHandlerPlugin = fastifyPlugin(
  async (app) => {
    // Only JSON is accepted: fastify's text/plain parser would turn a JSON body sent as text into a string
    // and the client would get a confusing "must be a JSON object" instead of "send application/json".
    app.removeContentTypeParser(["application/json", "text/plain"]);
    app.decorateRequest("promptBytes", 0);
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      try {
        // One scan of the raw text serves the depth limit and the prompt's bound (which comes from the
        // raw text, only at hand here, not from re-serializing).
        const shape = scanJsonText(body as string);
        const parsed = parseJsonBody(body as string, shape);
        request.promptBytes = promptTokenUpperBound(body as string, shape.exponentNumbers);
        done(null, parsed);
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
        request.log.error(request.generation ? { ...details, generation_id: request.generation.id } : details, "request failed");
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
