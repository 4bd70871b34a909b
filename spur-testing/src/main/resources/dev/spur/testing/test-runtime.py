#!/usr/bin/python3
# A tiny custom runtime for scheduler tests: what it does is driven by the event.
import http.client, json, os, sys, time

if os.environ.get("INIT_FAIL"):
    c = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    c.request("POST", "/2018-06-01/runtime/init/error",
              json.dumps({"errorMessage": "init failed on purpose", "errorType": "Runtime.TestInitError"}),
              {"Lambda-Runtime-Function-Error-Type": "Runtime.TestInitError"})
    c.getresponse().read()
    sys.exit(1)
if os.environ.get("INIT_EXIT"):
    print("exiting during init", flush=True)
    sys.exit(3)
if os.environ.get("INIT_SLEEP"):
    time.sleep(float(os.environ["INIT_SLEEP"]))

print("init output", flush=True)
conn = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    r = conn.getresponse()
    body = r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    deadline = int(r.getheader("Lambda-Runtime-Deadline-Ms"))
    ev = json.loads(body)
    if "print" in ev:
        print(ev["print"])
        sys.stdout.flush()
    if "sleep" in ev:
        time.sleep(ev["sleep"])
    if "exit" in ev:
        sys.exit(ev["exit"])
    if "fail" in ev:
        conn.request("POST", "/2018-06-01/runtime/invocation/%s/error" % rid,
                     json.dumps({"errorMessage": ev["fail"], "errorType": "TestError"}),
                     {"Lambda-Runtime-Function-Error-Type": "Function.TestError"})
        conn.getresponse().read()
        continue
    child = None
    if "spawn" in ev:
        # A child started from a thread other than the main one, as a JVM or a thread pool would.
        import subprocess, threading
        box = {}
        t = threading.Thread(target=lambda: box.update(p=subprocess.Popen(["/bin/sleep", "300"])))
        t.start()
        t.join()
        child = box["p"].pid
    if "big" in ev:
        out = b"x" * ev["big"]
    else:
        out = json.dumps({"pid": os.getpid(), "stream": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
                          "event": ev, "deadline": deadline,
                          "context": r.getheader("Lambda-Runtime-Client-Context"),
                          "arn": r.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                          "trace": r.getheader("Lambda-Runtime-Trace-Id"),
                          "child": child,
                          "env": {k: v for k, v in os.environ.items()}}).encode()
    conn.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, out)
    conn.getresponse().read()
