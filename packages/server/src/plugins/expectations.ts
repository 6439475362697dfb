import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { sendError } from './errors.js';

/**
 * RFC 9110 §10.1.1: on a 100-continue expectation an origin server "MUST send either: an
 * immediate response with a final status code, if that status can be determined by examining
 * just the method, target URI, and header fields, or an immediate 100 (Continue) response".
 *
 * Node writes `100 Continue` as soon as the headers arrive, before any auth or size check, unless
 * the server listens for 'checkContinue'. Here both 'checkContinue' and 'checkExpectation' go on
 * as ordinary requests: the 100 is written by `sendContinue` when a route is about to read the
 * body (a preParsing hook for parsed bodies, the upload handlers for streamed ones), after the
 * route's onRequest checks; any final answer before that goes out instead of the 100.
 */
export function installExpectations(app: FastifyInstance): void {
  const server = app.server;
  server.on('checkContinue', (req, res) => server.emit('request', req, res));
  server.on('checkExpectation', (req, res) => server.emit('request', req, res));

  app.addHook('onRequest', (request, reply, done) => {
    if (!hasUnmetExpectation(request.raw)) return done();
    // RFC 9110 §10.1.1: "A server that receives an Expect field value containing a member other
    // than 100-continue MAY respond with a 417 (Expectation Failed) status code". The body, if
    // any, is left unread, so the connection closes.
    reply.header('connection', 'close');
    sendError(reply, 417, 'expectation_failed', `the only expectation supported is "100-continue"`);
  });

  // After the route's onRequest hooks (auth, header checks): the body is about to be read.
  app.addHook('preParsing', (request, reply, payload, done) => {
    // Streamed uploads ask for their body in their handler, after their own checks. The header
    // test first: nearly every request has no Expect, and this hook runs for all of them.
    if (expectsContinue(request.raw) && !request.routeOptions.config?.streamsBody && withinBodyLimit(request)) sendContinue(reply);
    done(null, payload);
  });
}

/** Writes `100 Continue` when the client waits for it and no final response has started. */
export function sendContinue(reply: FastifyReply): void {
  if (!reply.raw.headersSent && expectsContinue(reply.request.raw)) reply.raw.writeContinue();
}

// Node's own test (lib/_http_server.js): a member "100-continue" anywhere in the field.
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

function expectsContinue(raw: IncomingMessage): boolean {
  return isHttp11(raw) && raw.headers.expect !== undefined && CONTINUE.test(raw.headers.expect);
}

function hasUnmetExpectation(raw: IncomingMessage): boolean {
  return isHttp11(raw) && raw.headers.expect !== undefined && !CONTINUE.test(raw.headers.expect);
}

// Node only acts on Expect in HTTP/1.1 (RFC 9110 §10.1.1: ignore it in HTTP/1.0).
function isHttp11(raw: IncomingMessage): boolean {
  return raw.httpVersionMajor === 1 && raw.httpVersionMinor === 1;
}

/** A Content-Length over the route's limit gets its 413 from the body parser, without a 100 first. */
function withinBodyLimit(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return length === undefined || Number(length) <= request.routeOptions.bodyLimit;
}
