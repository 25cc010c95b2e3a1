package io.sluice.sim.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The base model and LoRA adapter names served, and the /v1/models listing of them. */
final class ModelNames {
    private ModelNames() {
    }

    static boolean served(EngineOptions options, String model) {
        return options.model().equals(model) || options.loras().contains(model);
    }

    static JsonObject list(EngineOptions options, long created) {
        JsonArray data = new JsonArray().add(card(options.model(), options.model(), null, options, created));
        for (String lora : options.loras()) {
            data.add(card(lora, lora, options.model(), options, created));
        }
        return new JsonObject().put("object", "list").put("data", data);
    }

    private static JsonObject card(String id, String root, String parent, EngineOptions options, long created) {
        return new JsonObject().put("id", id).put("object", "model").put("created", created)
                .put("owned_by", options.flavor() == EngineOptions.Flavor.SGLANG ? "sglang" : "vllm")
                .put("root", root).put("parent", parent)
                .put("max_model_len", options.engine().maxModelLen());
    }
}
