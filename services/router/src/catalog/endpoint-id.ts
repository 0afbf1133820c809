/** An endpoint's id: the model served by one provider, `<model id>@<provider id>`. */
export function endpointId(modelId: string, providerId: string): string {
  return `${modelId}@${providerId}`;
}
