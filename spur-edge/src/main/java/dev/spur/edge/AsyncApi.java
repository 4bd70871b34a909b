package dev.spur.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spur.common.Caller;
import dev.spur.common.Json;
import dev.spur.common.LambdaException;
import dev.spur.invoke.AsyncDispatcher;
import dev.spur.invoke.EventOrigin;
import dev.spur.queue.DeadLetter;
import dev.spur.queue.EventQueue;
import dev.spur.queue.QueueStats;
import java.io.IOException;
import java.util.Base64;
import java.util.List;

/**
 * Spur's API for the asynchronous path, under {@code /spur/v1}: queue statistics and the dead-letter
 * store (list, inspect, replay, purge). Dead letters are scoped to the caller's account.
 */
final class AsyncApi implements EdgeApi {
    private final EventQueue queue;
    private final AsyncDispatcher dispatcher;
    private final Authentication auth;

    AsyncApi(EventQueue queue, AsyncDispatcher dispatcher, Authentication auth) {
        this.queue = queue;
        this.dispatcher = dispatcher;
        this.auth = auth;
    }

    @Override
    public void register(Router router) {
        router.add("GET", "/spur/v1/async", this::stats)
                .add("GET", "/spur/v1/dead-letters", this::list)
                .add("DELETE", "/spur/v1/dead-letters", this::purge)
                .add("GET", "/spur/v1/dead-letters/{id}", this::get)
                .add("POST", "/spur/v1/dead-letters/{id}/replay", this::replay);
    }

    /** {@code GET /spur/v1/async}: depth, oldest event age, retries, expirations, dead letters. */
    void stats(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            auth.caller(x, x.body(0));
            QueueStats q = queue.stats();
            AsyncDispatcher.Stats d = dispatcher.stats();
            ObjectNode node = Json.MAPPER.createObjectNode();
            node.put("depth", q.depth());
            node.put("running", q.held());
            node.put("delayed", q.delayed());
            if (q.oldestAge().isPresent()) {
                node.put("oldestEventAgeMillis", q.oldestAge().get().toMillis());
            } else {
                node.putNull("oldestEventAgeMillis");
            }
            node.put("deadLetters", q.deadLetters());
            node.put("enqueued", q.enqueued());
            node.put("completed", q.completed());
            node.put("retried", q.retried());
            node.put("deadLettered", q.deadLettered());
            node.put("succeeded", d.succeeded());
            node.put("functionErrors", d.functionErrors());
            node.put("throttled", d.throttled());
            node.put("expiredByAge", d.expiredByAge());
            node.put("sentToFailureDestination", d.sentToFailureDestination());
            return node;
        });
    }

    /** {@code GET /spur/v1/dead-letters?function=&after=&limit=}. */
    void list(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            int limit = x.query("limit").map(AsyncApi::integer).orElse(100);
            LambdaException.requireValid(limit >= 1 && limit <= 1000, "limit must be 1..1000");
            List<DeadLetter> letters =
                    queue.deadLetters(caller.account(), x.query("function"), x.query("after"), limit + 1);
            ObjectNode node = Json.MAPPER.createObjectNode();
            ArrayNode array = node.putArray("DeadLetters");
            letters.stream().limit(limit).forEach(l -> array.add(render(l)));
            if (letters.size() > limit) {
                node.put("NextAfter", letters.get(limit - 1).id());
            }
            return node;
        });
    }

    void get(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            return render(queue.deadLetter(caller.account(), x.pathParameter("id"))
                    .orElseThrow(() -> LambdaException.notFound("No dead letter %s", x.pathParameter("id"))));
        });
    }

    /** {@code POST /spur/v1/dead-letters/{id}/replay}: back into the queue, with a fresh maximum age. */
    void replay(Exchange x) {
        JsonAnswer.send(x, 202, () -> {
            Caller caller = auth.caller(x, x.body(0));
            if (!queue.replay(caller.account(), x.pathParameter("id"))) {
                throw LambdaException.notFound("No dead letter %s", x.pathParameter("id"));
            }
            return Json.MAPPER.createObjectNode().put("Replayed", x.pathParameter("id"));
        });
    }

    /** {@code DELETE /spur/v1/dead-letters?function=}: purges the account's (or one function's) dead letters. */
    void purge(Exchange x) {
        JsonAnswer.send(x, 200, () -> {
            Caller caller = auth.caller(x, x.body(0));
            return Json.MAPPER.createObjectNode().put("Purged", queue.purge(caller.account(), x.query("function")));
        });
    }

    private static ObjectNode render(DeadLetter l) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Id", l.id());
        node.put(
                "FunctionArn",
                l.qualifier().isEmpty() ? l.function().arn() : l.function().qualifiedArn(l.qualifier()));
        node.put("Origin", EventOrigin.origin(l.origin()));
        EventOrigin.traceHeader(l.origin()).ifPresent(t -> node.put("TraceHeader", t));
        node.put("EnqueuedAt", l.enqueuedAt().toString());
        node.put("FailedAt", l.failedAt().toString());
        node.put("Attempts", l.attempts());
        node.put("Condition", l.reason().condition());
        if (l.reason().errorType() != null) {
            node.put("ErrorType", l.reason().errorType());
        }
        if (l.reason().errorMessage() != null) {
            node.put("ErrorMessage", l.reason().errorMessage());
        }
        node.set("Payload", value(l.payload()));
        if (l.reason().responsePayload() != null) {
            node.set("Response", value(l.reason().responsePayload()));
        }
        return node;
    }

    /** JSON bytes as JSON; anything else as {@code {"base64": …}}. */
    private static JsonNode value(byte[] bytes) {
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node != null) {
                return node;
            }
        } catch (IOException notJson) {
            // below
        }
        return Json.MAPPER.createObjectNode().put("base64", Base64.getEncoder().encodeToString(bytes));
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw LambdaException.invalid("limit must be an integer");
        }
    }
}
