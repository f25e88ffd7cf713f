import type { TestProject } from 'vitest/node';
import { type MotoServer, startMotoServer } from './helpers/moto-server';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

let moto: MotoServer | undefined;

/** Starts one moto server for the run; integration tests isolate themselves with unique resource names. */
export async function setup(project: TestProject): Promise<void> {
  moto = await startMotoServer();
  project.provide('motoEndpoint', moto.endpoint);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}
