package io.sluice.crd.k8s;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sluice.crd.ModelPoolSpec;

/**
 * The {@code ModelPool} resource: model names served by the pods its selector picks, and how
 * requests are admitted to them. The CRD YAML is generated from this class at build time.
 */
@Group(ModelPool.GROUP)
@Version(ModelPool.VERSION)
@Kind("ModelPool")
@Plural("modelpools")
@Singular("modelpool")
@ShortNames("mpool")
@AdditionalPrinterColumn(name = "Models", jsonPath = ".spec.models", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyPods", type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "Pods that are Running, Ready and have an IP")
@AdditionalPrinterColumn(name = "Budget", jsonPath = ".status.budgetTokens", type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "Tokens the router may reserve, summed over the ready pods")
@AdditionalPrinterColumn(name = "Reserved", jsonPath = ".status.reservedTokens",
    type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "Tokens reserved by requests in flight")
@AdditionalPrinterColumn(name = "Queued", jsonPath = ".status.queuedRequests",
    type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "Requests waiting for budget")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ModelPool extends CustomResource<ModelPoolSpec, ModelPoolStatus> implements Namespaced {
  public static final String GROUP = "sluice.io";
  public static final String VERSION = "v1alpha1";

  @Override
  protected ModelPoolSpec initSpec() {
    return null; // a record without a no-argument constructor; set by whoever builds the resource
  }

  @Override
  protected ModelPoolStatus initStatus() {
    return null;
  }
}
