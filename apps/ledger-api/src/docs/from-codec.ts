import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import type * as t from 'io-ts';
import { codecSchema, objectFields } from './codec-schema';

/**
 * OpenAPI for a route, from the codec the route decodes with: the one source of truth for what
 * it accepts (test/e2e/openapi.e2e.spec.ts checks the two agree). The schemas are computed when
 * the controller class is defined, so an undocumented codec stops the API at start-up.
 */

/** The JSON request body. */
export const BodyFrom = (codec: t.Mixed): MethodDecorator => ApiBody({ required: true, schema: codecSchema(codec) });

/** One query parameter per field of the (object) codec that decodes the query string. */
export const QueryFrom = (codec: t.Mixed): MethodDecorator =>
  applyDecorators(
    // Reversed: Nest lists the parameters of stacked decorators last one first, and they should read in the codec's order.
    ...objectFields(codec)
      .reverse()
      .map(({ name, required, schema }) => ApiQuery({ name, required, schema, ...(schema.description !== undefined && { description: schema.description }) })),
  );

/** One path parameter per field of the codec that decodes the path. */
export const ParamsFrom = (codec: t.Mixed): MethodDecorator =>
  applyDecorators(
    ...objectFields(codec).map(({ name, schema }) =>
      ApiParam({ name, required: true, schema, ...(schema.description !== undefined && { description: schema.description }) }),
    ),
  );
