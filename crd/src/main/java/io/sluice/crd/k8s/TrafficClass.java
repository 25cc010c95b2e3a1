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
import io.sluice.crd.TrafficClassSpec;

/** The {@code TrafficClass} resource: a class of callers, how they are matched and how they rank. */
@Group(ModelPool.GROUP)
@Version(ModelPool.VERSION)
@Kind("TrafficClass")
@Plural("trafficclasses")
@Singular("trafficclass")
@ShortNames("tclass")
@AdditionalPrinterColumn(name = "Priority", jsonPath = ".spec.priority", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Default", jsonPath = ".spec.default", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class TrafficClass extends CustomResource<TrafficClassSpec, TrafficClassStatus> implements Namespaced {

  @Override
  protected TrafficClassSpec initSpec() {
    return null; // a record without a no-argument constructor
  }

  @Override
  protected TrafficClassStatus initStatus() {
    return null;
  }
}
