import { ParticipantKind } from 'livekit-client';
import type { AgentState } from './events.js';

export const AGENT_STATE = 'lk.agent.state';
const PUBLISH_ON_BEHALF = 'lk.publish_on_behalf';
const STATES: ReadonlySet<string> = new Set(['initializing', 'idle', 'listening', 'thinking', 'speaking']);

export interface ParticipantLike {
  readonly identity: string;
  readonly kind: ParticipantKind;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The call's agent: kind AGENT, and not an avatar worker publishing on the agent's behalf. */
export function isAgent(participant: ParticipantLike): boolean {
  return participant.kind === ParticipantKind.AGENT && !participant.attributes[PUBLISH_ON_BEHALF];
}

export function agentStateOf(participant: ParticipantLike): AgentState | undefined {
  const state = participant.attributes[AGENT_STATE];
  return state !== undefined && STATES.has(state) ? (state as AgentState) : undefined;
}
