import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:isPublic';

/** Marks a controller or route as open without credentials (probes, metrics). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
