# The container image for teams that build with Docker (or Buildah, Kaniko, ...). The project's own
# build makes the same image without a daemon: mvn -Pimage -pl simulator -am package (Jib).
#   docker build -t ghcr.io/sluice-io/sluice:dev .
# One image runs both programs. The entrypoint is the router:
#   docker run ghcr.io/sluice-io/sluice:dev serve --config /etc/sluice/sluice.yaml
# and the engine emulator runs with this command (the same as in the Jib image):
#   docker run --entrypoint java ghcr.io/sluice-io/sluice:dev -cp @/app/jib-classpath-file io.sluice.sim.cli.SimMain engine
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package && echo /app/sluice.jar > /src/jib-classpath-file

FROM gcr.io/distroless/java17-debian12:nonroot
# sluice-sim.jar holds the emulator and the router with every dependency. jib-classpath-file names it so
# that the emulator's command is the same here as in the image Jib builds.
COPY --from=build /src/simulator/target/sluice-sim.jar /app/sluice.jar
COPY --from=build /src/jib-classpath-file /app/jib-classpath-file
COPY simulator/src/main/jib/app/logback.xml /app/logback.xml
# Heap from the container's memory limit, exit on OutOfMemoryError, nothing written outside /tmp.
ENV JDK_JAVA_OPTIONS="-XX:InitialRAMPercentage=50 -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC -XX:-UsePerfData -Djava.io.tmpdir=/tmp -Dlogback.configurationFile=/app/logback.xml" \
    DJL_CACHE_DIR=/tmp/djl
USER 65532:65532
WORKDIR /tmp
EXPOSE 8080 9090
ENTRYPOINT ["java", "-cp", "/app/sluice.jar", "io.sluice.router.cli.Main"]
