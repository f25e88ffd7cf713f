export {
  createMemoryTransport,
  type InjectedSendFailure,
  type MemoryTransport,
  type MemoryTransportOptions,
  type PeekedMessage,
  type QueueStats,
  type RedrivenMessage,
} from './memory-transport.js';
