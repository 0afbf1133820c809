import type { ModelListing } from "../messages/list-models.js";

/** A model's `architecture` in OpenRouter's listings (`/models` and a model's `/endpoints`), from its catalog modalities. */
export function listingArchitecture(model: { inputModalities: readonly string[]; outputModalities: readonly string[] }): ModelListing["architecture"] {
  return {
    modality: `${model.inputModalities.join("+")}->${model.outputModalities.join("+")}`,
    input_modalities: [...model.inputModalities],
    output_modalities: [...model.outputModalities],
    tokenizer: "Other",
    instruct_type: null,
  };
}
