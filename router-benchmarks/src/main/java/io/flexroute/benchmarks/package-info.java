/**
 * JMH benchmarks and load drivers. Not published.
 *
 * <p>Build the benchmark jar with {@code ./mvnw -B -pl router-benchmarks -am package -DskipTests},
 * then run {@code java -jar router-benchmarks/target/benchmarks.jar <regex>}.
 */
@NullMarked
package io.flexroute.benchmarks;

import org.jspecify.annotations.NullMarked;
