/**
 * The UDP chat room: the room's rules, its server, and a client.
 *
 * @module
 */
export {
  CHAT_IDLE_NOTICE,
  CHAT_JOINED_PREFIX,
  type ChatPacket,
  type ChatPeer,
  ChatRoom,
  type ChatRoomOptions,
  DEFAULT_CHAT_IDLE_MS,
  DEFAULT_CHAT_MAX_PEERS,
  MAX_NICK_LENGTH,
} from "./room.ts";
export { type ChatServer, type ChatServerOptions, serveChat } from "./server.ts";
export { type ChatClient, type ChatClientOptions, joinChat } from "./client.ts";
