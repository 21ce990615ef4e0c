// The naive JavaScript peer of `make bench`: what a Node team would write first. Fastify 5,
// the official mongodb driver and livekit-server-sdk's AccessToken; three MongoDB round trips
// per token (the key by its hash, the agent by id and tenant, the call's insert), nothing
// cached, the same collections, documents and write concern (w: majority) as ours and the
// Python peer. With PEER_STORE=memory the same handler reads and writes Maps instead (keys
// and agents from BENCH_CREDENTIALS): the app's own cost, with no database.
//
//   node server.js --port P      (MONGODB_URI, MONGODB_DATABASE, LIVEKIT_URL, LIVEKIT_API_KEY,
//                                 LIVEKIT_API_SECRET; or PEER_STORE=memory, BENCH_CREDENTIALS)
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Fastify from "fastify";
import { AccessToken, RoomAgentDispatch, RoomConfiguration } from "livekit-server-sdk";
import { MongoClient } from "mongodb";

const JOIN_WINDOW_MS = 10 * 60 * 1000;
const TENANT_ID = "bench-tenant"; // the in-memory store's tenant, as ours_in_memory.py's
const env = process.env;
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);

function mongoStore() {
  const client = new MongoClient(env.MONGODB_URI, {
    writeConcern: { w: "majority" },
    retryWrites: true,
    timeoutMS: 5000,
  });
  const db = client.db(env.MONGODB_DATABASE || "realtime_tokens");
  return {
    key: (keyHash) => db.collection("api_keys").findOne({ key_hash: keyHash }),
    agent: (id, tenantId) => db.collection("agents").findOne({ _id: id, tenant_id: tenantId }),
    insert: (call) => db.collection("calls").insertOne(call),
    close: () => client.close(),
  };
}

function memoryStore() {
  const keys = new Map();
  const agents = new Map();
  const calls = new Map();
  for (const line of readFileSync(env.BENCH_CREDENTIALS, "utf8").split("\n")) {
    const [plaintext, agentId] = line.trim().split(/\s+/);
    if (!plaintext) continue;
    const keyHash = createHash("sha256").update(plaintext).digest("hex");
    keys.set(keyHash, { _id: keyHash, tenant_id: TENANT_ID, key_hash: keyHash, revoked_at: null });
    agents.set(agentId, { _id: agentId, tenant_id: TENANT_ID, dispatch_name: "bench-agent" });
  }
  return {
    key: async (keyHash) => keys.get(keyHash) ?? null,
    agent: async (id, tenantId) => {
      const agent = agents.get(id);
      return agent && agent.tenant_id === tenantId ? agent : null;
    },
    insert: async (call) => void calls.set(call._id, call),
    close: async () => {},
  };
}

const store = env.PEER_STORE === "memory" ? memoryStore() : mongoStore();
const app = Fastify({ logger: false });

const body = {
  type: "object",
  required: ["agent_id"],
  properties: {
    agent_id: { type: "string", format: "uuid" },
    metadata: { type: "object", default: {} },
  },
};

app.post("/v1/realtime/token", { schema: { body } }, async (request, reply) => {
  const presented = (request.headers.authorization ?? "").replace(/^Bearer /, "").trim();
  const keyHash = createHash("sha256").update(presented).digest("hex");
  const key = await store.key(keyHash);
  if (key === null || key.revoked_at != null) {
    return reply.code(401).send({ detail: "unauthenticated" });
  }
  const agentId = request.body.agent_id;
  const agent = await store.agent(agentId, key.tenant_id);
  if (agent === null) {
    return reply.code(404).send({ detail: "agent_not_found" });
  }
  const callId = randomUUID();
  const roomName = `webrtc_${callId}`;
  const identity = `caller_${callId}`;
  const now = new Date();
  await store.insert({
    _id: callId,
    tenant_id: key.tenant_id,
    agent_id: agentId,
    type: "webrtc",
    status: "queued",
    room_name: roomName,
    participant_identity: identity,
    metadata: { ...request.body.metadata, type: "webrtc" },
    created_at: now,
    expires_at: new Date(now.getTime() + JOIN_WINDOW_MS),
  });
  const ids = { call_id: callId, agent_id: agentId };
  const token = new AccessToken(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, {
    identity,
    ttl: JOIN_WINDOW_MS / 1000,
    metadata: JSON.stringify(ids),
    attributes: ids,
  });
  token.kind = "standard";
  token.addGrant({ roomJoin: true, room: roomName });
  token.roomConfig = new RoomConfiguration({
    agents: [
      new RoomAgentDispatch({
        agentName: agent.dispatch_name,
        metadata: JSON.stringify({ ...ids, room_name: roomName, type: "webrtc" }),
      }),
    ],
  });
  return {
    client_token: await token.toJwt(),
    room_name: roomName,
    server_url: env.LIVEKIT_URL,
  };
});

app.get("/healthz", async () => ({ status: "ok" }));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    await app.close();
    await store.close();
    process.exit(0);
  });
}

await app.listen({ host: "127.0.0.1", port });
