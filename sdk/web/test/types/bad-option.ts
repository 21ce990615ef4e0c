// expect: TS2353 'publishableKeys'
import { createCall } from '@realtime-tokens/web';

createCall({ tokenEndpoint: '/v1/livekit/token', publishableKeys: 'rtpk_x', agent: 'a' });
