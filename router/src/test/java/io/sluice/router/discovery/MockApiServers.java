package io.sluice.router.discovery;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Teardown of Fabric8's mock API server. */
final class MockApiServers {
  private MockApiServers() {}

  /**
   * Stops the mock server. Watches closed by the informers a moment earlier may still be winding
   * down, and the mock server then gives up waiting after its own timeout: that is the fixture
   * being slow, not the code under test failing, so it is reported and not rethrown.
   */
  static void destroy(KubernetesMockServer server) {
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      System.err.println("mock API server closed slowly: " + e.getMessage());
    }
  }
}
