package dev.spur.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spur.testing.FunctionPackage;
import dev.spur.testing.Tools;
import dev.spur.testing.server.Spur;
import dev.spur.testing.server.SpurTest;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.ListFunctionsResponse;
import software.amazon.awssdk.services.lambda.model.PreconditionFailedException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationResponse;

/** The control plane through the AWS SDK for Java v2: shapes, status codes and errors as Lambda answers them. */
@SpurTest
class FunctionApiTest {
    static Spur spur;
    static byte[] zip;

    @BeforeAll
    static void zip() {
        zip = FunctionPackage.testRuntime().zip();
    }

    @Test
    void createReturnsLambdasConfigurationShape() throws Exception {
        String name = Spur.uniqueName("shape");
        CreateFunctionResponse r = spur.lambda()
                .createFunction(b -> b.functionName(name)
                        .runtime("provided.al2023")
                        .handler("h")
                        .role(Spur.ROLE)
                        .description("d")
                        .memorySize(256)
                        .timeout(9)
                        .environment(Environment.builder()
                                .variables(Map.of("AB", "1"))
                                .build())
                        .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
        assertThat(r.sdkHttpResponse().statusCode()).isEqualTo(201);
        assertThat(r.functionName()).isEqualTo(name);
        assertThat(r.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:" + name);
        assertThat(r.codeSha256())
                .isEqualTo(Base64.getEncoder()
                        .encodeToString(MessageDigest.getInstance("SHA-256").digest(zip)));
        assertThat(r.codeSize()).isEqualTo(zip.length);
        assertThat(r.memorySize()).isEqualTo(256);
        assertThat(r.timeout()).isEqualTo(9);
        assertThat(r.version()).isEqualTo("$LATEST");
        assertThat(r.state()).isEqualTo(State.ACTIVE);
        assertThat(r.lastUpdateStatus()).isEqualTo(LastUpdateStatus.SUCCESSFUL);
        assertThat(r.environment().variables()).containsEntry("AB", "1");
        assertThat(r.revisionId()).isNotBlank();
        assertThat(r.lastModified()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\+0000");
        assertThat(r.architecturesAsStrings()).containsExactly("x86_64");
        assertThat(r.ephemeralStorage().size()).isEqualTo(512);
    }

    @Test
    void getFunctionGivesADownloadableCodeLocation() throws Exception {
        String name = Spur.uniqueName("get");
        spur.create(name, "provided.al2023", "h", zip);
        GetFunctionResponse r = spur.lambda().getFunction(b -> b.functionName(name));
        assertThat(r.configuration().functionName()).isEqualTo(name);
        assertThat(r.code().repositoryType()).isEqualTo("S3");
        HttpURLConnection c =
                (HttpURLConnection) URI.create(r.code().location()).toURL().openConnection();
        try (InputStream in = c.getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(zip);
        }
        // The link is presigned: without its signature, or with a later expiry, it is refused.
        String location = r.code().location();
        String unsigned = location.substring(0, location.indexOf('?'));
        assertThat(((HttpURLConnection) URI.create(unsigned).toURL().openConnection()).getResponseCode())
                .isEqualTo(403);
        String extended = location.replaceFirst("expires=(\\d+)", "expires=9$1");
        assertThat(((HttpURLConnection) URI.create(extended).toURL().openConnection()).getResponseCode())
                .isEqualTo(403);
        assertThat(spur.lambda()
                        .getFunctionConfiguration(
                                b -> b.functionName(r.configuration().functionArn()))
                        .functionName())
                .isEqualTo(name);
    }

    @Test
    void listFunctionsPagesWithMarkers() {
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            String name = Spur.uniqueName("page" + i);
            spur.create(name, "provided.al2023", "h", zip);
            created.add(name);
        }
        Set<String> seen = new HashSet<>();
        String marker = null;
        int pages = 0;
        do {
            String m = marker;
            ListFunctionsResponse page =
                    spur.lambda().listFunctions(b -> b.maxItems(2).marker(m));
            assertThat(page.functions()).hasSizeLessThanOrEqualTo(2);
            page.functions().forEach(f -> assertThat(seen.add(f.functionName())).isTrue());
            marker = page.nextMarker();
            pages++;
        } while (marker != null);
        assertThat(seen).containsAll(created);
        assertThat(pages).isGreaterThanOrEqualTo(3);
        assertThat(spur.lambda().listFunctionsPaginator(b -> b.maxItems(3)).functions().stream()
                        .map(FunctionConfiguration::functionName))
                .containsAll(created);
    }

    @Test
    void updateConfigurationChangesWhatNewInvocationsSee() {
        String name = Spur.uniqueName("cfg");
        spur.create(name, "provided.al2023", "h", zip);
        assertThat(invoke(name)).doesNotContain("\"COLOR\"");
        UpdateFunctionConfigurationResponse u = spur.lambda()
                .updateFunctionConfiguration(b -> b.functionName(name)
                        .memorySize(512)
                        .timeout(20)
                        .description("new")
                        .environment(Environment.builder()
                                .variables(Map.of("COLOR", "blue"))
                                .build()));
        assertThat(u.memorySize()).isEqualTo(512);
        assertThat(u.timeout()).isEqualTo(20);
        assertThat(u.description()).isEqualTo("new");
        spur.lambda().waiter().waitUntilFunctionUpdatedV2(b -> b.functionName(name));
        assertThat(invoke(name))
                .contains("\"COLOR\": \"blue\"")
                .contains("\"AWS_LAMBDA_FUNCTION_MEMORY_SIZE\": \"512\"");
    }

    @Test
    void updateCodeReplacesTheCodeAndHonoursRevisionId() {
        String name = Spur.uniqueName("code");
        CreateFunctionResponse created = spur.create(name, "provided.al2023", "h", zip);
        assertThatThrownBy(() -> spur.lambda()
                        .updateFunctionCode(
                                b -> b.functionName(name).revisionId("stale").zipFile(SdkBytes.fromByteArray(zip))))
                .isInstanceOf(PreconditionFailedException.class);
        byte[] shell = FunctionPackage.echo("echo").zip();
        var updated = spur.lambda()
                .updateFunctionCode(b ->
                        b.functionName(name).revisionId(created.revisionId()).zipFile(SdkBytes.fromByteArray(shell)));
        assertThat(updated.codeSize()).isEqualTo(shell.length);
        assertThat(updated.revisionId()).isNotEqualTo(created.revisionId());
        Tools.curl();
        assertThat(invoke(name)).isEqualTo("{\"echo\":{}}");
    }

    @Test
    void waitersSeeFunctionsActiveAtOnce() {
        String name = Spur.uniqueName("wait");
        spur.create(name, "provided.al2023", "h", zip);
        assertThat(spur.lambda()
                        .waiter()
                        .waitUntilFunctionActiveV2(b -> b.functionName(name))
                        .matched()
                        .response())
                .hasValueSatisfying(r -> assertThat(r.configuration().state()).isEqualTo(State.ACTIVE));
        assertThat(spur.lambda()
                        .waiter()
                        .waitUntilFunctionExists(b -> b.functionName(name))
                        .matched()
                        .response())
                .isPresent();
    }

    @Test
    void deleteRemovesTheFunctionAndItsEnvironments() {
        String name = Spur.uniqueName("del");
        spur.create(name, "provided.al2023", "h", zip);
        invoke(name);
        var deleted = spur.lambda().deleteFunction(b -> b.functionName(name));
        assertThat(deleted.sdkHttpResponse().statusCode()).isEqualTo(204);
        assertThatThrownBy(() -> spur.lambda().getFunction(b -> b.functionName(name)))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Function not found: arn:aws:lambda:us-east-1:000000000000:function:" + name);
        assertThatThrownBy(() -> spur.lambda().deleteFunction(b -> b.functionName(name)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void duplicateNameIsAConflict() {
        String name = Spur.uniqueName("dup");
        spur.create(name, "provided.al2023", "h", zip);
        assertThatThrownBy(() -> spur.create(name, "provided.al2023", "h", zip))
                .isInstanceOfSatisfying(ResourceConflictException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(409);
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Function already exist: " + name);
                });
    }

    @Test
    void invalidParametersAreRejectedWithTheirNames() {
        record Case(String field, Consumer<CreateFunctionRequest.Builder> change) {}
        List<Case> cases = List.of(
                new Case("memorySize", b -> b.memorySize(64)),
                new Case("memorySize", b -> b.memorySize(10_241)),
                new Case("timeout", b -> b.timeout(0)),
                new Case("timeout", b -> b.timeout(901)),
                new Case("role", b -> b.role("not-a-role")),
                new Case("runtime", b -> b.runtime("cobol1.0")),
                new Case("functionName", b -> b.functionName("bad name!")),
                new Case("reserved keys", b -> b.environment(e -> e.variables(Map.of("AWS_REGION", "x")))),
                new Case("4KB", b -> b.environment(e -> e.variables(Map.of("BIG", "x".repeat(5000))))),
                new Case("does not exist", b -> b.layers("arn:aws:lambda:us-east-1:000000000000:layer:l:1")));
        for (Case c : cases) {
            assertThatThrownBy(() -> spur.lambda().createFunction(b -> {
                        b.functionName(Spur.uniqueName("bad"))
                                .runtime("provided.al2023")
                                .handler("h")
                                .role(Spur.ROLE)
                                .code(x -> x.zipFile(SdkBytes.fromByteArray(zip)));
                        c.change().accept(b);
                    }))
                    .as(c.field())
                    .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorMessage()).contains(c.field());
                    });
        }
    }

    @Test
    void anotherAccountsArnIsNotFound() {
        String name = Spur.uniqueName("acct");
        spur.create(name, "provided.al2023", "h", zip);
        assertThatThrownBy(() -> spur.lambda()
                        .getFunction(b -> b.functionName("arn:aws:lambda:us-east-1:111111111111:function:" + name)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() ->
                        spur.lambda().getFunction(b -> b.functionName(name).qualifier("7")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining(":" + name + ":7");
    }

    @Test
    void errorsCarryTheAwsErrorShape() {
        assertThatThrownBy(() -> spur.lambda().getFunction(b -> b.functionName("missing-fn")))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
                    assertThat(e.requestId()).isNotBlank();
                });
    }

    private static String invoke(String name) {
        return spur.lambda().invoke(b -> b.functionName(name)).payload().asUtf8String();
    }
}
