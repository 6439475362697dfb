/** One request of a load loop: when it started, how long it took, what came back. */
export interface Sample {
  kind: string;
  startedAt: number;
  ms: number;
  /** 0: no HTTP answer at all (the connection failed). */
  status: number;
  body: string;
}

export interface LoadLoop {
  samples: Sample[];
  /** Stops starting new requests and resolves once the ones in flight have answered. */
  stop(): Promise<void>;
}

/**
 * `workers` concurrent loops, each sending `request()` back to back until stopped, recording
 * every answer. A request that never answers keeps its worker, so `stop()` would hang too:
 * callers bound it with the test's timeout.
 */
export function loadLoop(workers: number, request: (worker: number, n: number) => { kind: string; send(): Promise<Response> }): LoadLoop {
  const samples: Sample[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let n = 0; running; n++) {
      const { kind, send } = request(worker, n);
      const startedAt = Date.now();
      let status = 0;
      let body = '';
      try {
        const response = await send();
        status = response.status;
        body = await response.text();
      } catch (err) {
        body = String(err);
      }
      samples.push({ kind, startedAt, ms: Date.now() - startedAt, status, body });
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
