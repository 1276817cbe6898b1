// Supabase Edge Function entry: the handler lives in handler.ts so the local gateway and the
// tests can import it without starting a server.
import { handler } from './handler.ts';

Deno.serve(handler);
