// expect: TS2339 'hangUp'
import { createCall } from '@realtime-tokens/web';

void createCall({ url: 'wss://lk.example', token: 'eyJ' }).hangUp();
