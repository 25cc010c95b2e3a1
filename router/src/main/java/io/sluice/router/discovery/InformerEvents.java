package io.sluice.router.discovery;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.function.Consumer;

/** Small helpers over Fabric8 informers. */
final class InformerEvents {
  private InformerEvents() {}

  /** A handler calling {@code changed} on an add or update (with the new version) and {@code deleted} on a delete. */
  static <T> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T resource) {
        changed.accept(resource);
      }

      @Override
      public void onUpdate(T before, T after) {
        changed.accept(after);
      }

      @Override
      public void onDelete(T resource, boolean finalStateUnknown) {
        deleted.accept(resource);
      }
    };
  }

  /** True once the informer has listed what exists and is watching for changes. */
  static boolean live(SharedIndexInformer<?> informer) {
    return informer.hasSynced() && informer.isWatching();
  }
}
