# The epochflux app: builds the jar exactly as the README does, then runs it on a JRE.
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY src ./src
RUN mvn -q -DskipTests package

FROM eclipse-temurin:17.0.16_8-jre
WORKDIR /app
COPY --from=build /src/target/epochflux.jar /app/epochflux.jar
RUN useradd --system --uid 10001 epochflux && mkdir -p /data && chown epochflux /data
USER epochflux
EXPOSE 9464
# The Vector API module makes the training kernel about twice as fast; the jar runs without it too.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-jar", "/app/epochflux.jar"]
CMD ["experiment", "--metrics-port", "9464", "--metrics-bind", "0.0.0.0", "--linger", "--min-epoch-duration", "200ms", "--out", "/data"]
