/**
 * The UDP chat room: the room's rules, its server, and a client.
 *
 * @module
 */
export {
  CHAT_IDLE_NOTICE,
  CHAT_JOIN_COMMAND,
  CHAT_JOINED_PREFIX,
  type ChatDropReason,
  type ChatPacket,
  type ChatPeer,
  ChatRoom,
  type ChatRoomOptions,
  isQuitCommand,
  MAX_NICK_LENGTH,
  parseJoinChallenge,
  WHO_PART_BYTES,
} from "./room.ts";
export { type CheckedName, checkName, nameKeys, RESERVED_NAMES } from "./names.ts";
export {
  escapeUnsafeText,
  findUnsafeCharacter,
  type TerminalTextOptions,
  UnsafeTextError,
} from "../terminal_text.ts";
export { type ChatServer, type ChatServerOptions, serveChat } from "./server.ts";
export {
  type ChatClient,
  type ChatClientOptions,
  type ChatLeaveOptions,
  joinChat,
} from "./client.ts";
export { CHAT_DEFAULTS, type ChatDefaults } from "./defaults.ts";
export type { ServerHandle } from "../handle.ts";
// Named by the options and types above.
export type { AdapterChoice, AdapterName, NetAddress } from "../../runtime/mod.ts";
