// Response streaming for Lamina's Node bootstrap (bootstrap.js), as AWS's Node runtimes offer
// it. Like the bootstrap, it uses nothing but node's standard library.
//
// `awslambda.streamifyResponse(handler)` marks a handler that streams: it is called as
// handler(event, responseStream, context), and what it writes goes to Lamina as it writes it
// (STREAM {content_type} first, then a CHUNK per write). `awslambda.HttpResponseStream.from`
// puts a function URL's status and headers (a JSON prelude, then 8 NUL bytes) before the body.
"use strict";

const { Writable } = require("stream");
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HIGH_WATER_MARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const STREAM_RESPONSE = "response";
const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";

class InvalidStreamingOperation extends Error {}
Object.defineProperty(InvalidStreamingOperation.prototype, "name", {
  value: "Runtime.InvalidStreamingOperation",
});

function streamifyResponse(handler, options) {
  handler[STREAMING] = STREAM_RESPONSE;
  if (options && options.highWaterMark) handler[HIGH_WATER_MARK] = options.highWaterMark;
  return handler;
}

class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION);
    const metadata = JSON.stringify(prelude); // JSON cannot hold a NUL: the delimiter is safe
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

function installGlobals() {
  globalThis.awslambda = Object.assign(globalThis.awslambda || {}, {
    streamifyResponse,
    HttpResponseStream,
  });
}

// A writable stream whose writes are CHUNK frames, sent at once (blocking, like every frame).
function responseStream(channel, highWaterMark) {
  let contentType = "application/octet-stream";
  let begun = false;
  const begin = () => {
    if (begun) return;
    begun = true;
    channel.send("T", { content_type: contentType });
  };
  const stream = new Writable({
    highWaterMark,
    write(chunk, _encoding, callback) {
      begin();
      if (chunk.length) channel.send("C", {}, Buffer.from(chunk));
      callback();
    },
    final(callback) {
      begin(); // an empty stream is still a streamed answer
      callback();
    },
  });
  stream._onBeforeFirstWrite = undefined;
  stream.setContentType = (type) => {
    if (begun || stream._wrote) {
      throw new InvalidStreamingOperation("Cannot set content-type, too late.");
    }
    contentType = String(type);
  };
  const write = stream.write.bind(stream);
  stream.write = (chunk, encoding, callback) => {
    if (typeof chunk !== "string" && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) {
      chunk = JSON.stringify(chunk); // as AWS's runtime writes a value that is not bytes
    }
    if (!stream._wrote && typeof stream._onBeforeFirstWrite === "function") {
      stream._onBeforeFirstWrite((piece) => write(piece));
    }
    stream._wrote = true;
    return write(chunk, encoding, callback);
  };
  const end = stream.end.bind(stream);
  stream.end = (chunk, encoding, callback) => {
    if (typeof chunk === "function") return end(chunk);
    if (chunk !== undefined && chunk !== null) stream.write(chunk, encoding); // with the prelude
    return end(typeof encoding === "function" ? encoding : callback);
  };
  return stream;
}

module.exports = { STREAMING, HIGH_WATER_MARK, STREAM_RESPONSE, installGlobals, responseStream };
