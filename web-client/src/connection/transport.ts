// The grpc-web transport to the Hold Hunter server and the typed service clients.
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { JobService } from "../gen/holdhunter/v1/job_pb";
import { LineService, QueueService } from "../gen/holdhunter/v1/line_pb";
import { DestinationService } from "../gen/holdhunter/v1/destination_pb";
import { RingCentralService } from "../gen/holdhunter/v1/ringcentral_pb";

/**
 * Adds `authorization: Bearer <token>` to every request, reading the token at call time so a
 * token typed after the transport was made is used. No header is sent without a token.
 */
export function bearerAuthInterceptor(getToken: () => string): Interceptor {
  return (next) => async (req) => {
    const token = getToken().trim();
    if (token) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

/** grpc-web (binary) transport to `baseUrl` with bearer authentication. */
export function createServerTransport(baseUrl: string, getToken: () => string): Transport {
  return createGrpcWebTransport({ baseUrl, interceptors: [bearerAuthInterceptor(getToken)] });
}

/** The service clients the dashboard uses. */
export interface HoldHunterClients {
  jobs: Client<typeof JobService>;
  lines: Client<typeof LineService>;
  queues: Client<typeof QueueService>;
  destinations: Client<typeof DestinationService>;
  ringcentral: Client<typeof RingCentralService>;
}

export function createClients(transport: Transport): HoldHunterClients {
  return {
    jobs: createClient(JobService, transport),
    lines: createClient(LineService, transport),
    queues: createClient(QueueService, transport),
    destinations: createClient(DestinationService, transport),
    ringcentral: createClient(RingCentralService, transport),
  };
}
