export { createSqsTransport, type SqsTransport, type SqsTransportOptions } from './sqs-transport.js';
