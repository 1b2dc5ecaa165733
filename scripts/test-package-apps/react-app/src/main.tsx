import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';

const params = new URLSearchParams(location.search);
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App roomId={params.get('room') ?? 'scratch'} signaling={params.get('signal') ?? ''} name={params.get('name') ?? 'anon'} />
  </StrictMode>,
);
