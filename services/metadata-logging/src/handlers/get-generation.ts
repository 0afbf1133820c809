import {
  gatewayError,
  gatewayErrorCodes,
  getGenerationRequestSchema,
  quoteUserText,
  SwitchboardError,
  type GetGenerationReply,
  type GetGenerationRequest,
  type Subjects,
} from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentGeneration } from "../present-generation.js";
import { findGeneration, type DatabaseExecutor } from "../repositories/generations.js";

/** The caller's own generation; another account's is answered like an unknown id. */
export async function getGeneration(database: DatabaseExecutor, request: GetGenerationRequest): Promise<GetGenerationReply> {
  const row = await findGeneration(database, request.id, request.accountId);
  if (!row) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.notFound, 404, `Generation ${quoteUserText(request.id)} not found. It can take a few seconds to appear after the request finishes.`),
    );
  }
  return { data: presentGeneration(row) };
}

export function getGenerationEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.loggingGetGeneration,
    requestSchema: getGenerationRequestSchema,
    handler: (request) => getGeneration(dependencies.database, request),
  });
}
