import { Body, Controller, Get, Headers, Inject, Put, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PROGRAM_ID } from '#ledger-domain/program/program';
import { respond } from '../http/accepted';
import { commandContextFor } from '../http/command-context.factory';
import { decodeOrThrow, orThrow } from '../http/decode';
import { httpProblem, ProblemException, toProblem } from '../http/problem';
import { CLOCK, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { programStream } from '#runtime/streams';
import { ConfigureProgramCommand, ProgramSettingsPatchC, programView } from './configure-program.handler';

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    currency: { type: 'string', example: 'USD', description: 'ISO 4217 code; payments must be in it' },
    pointsPerUnit: { type: 'string', example: '1', description: 'points per 1.00 of currency, decimal string > 0, ≤ 1000' },
    timezone: { type: 'string', example: 'UTC', description: 'IANA timezone for day boundaries' },
    negativeBalance: { type: 'string', enum: ['deny', 'allow'], description: '"allow" lets manual adjustments overdraw' },
    visitRewards: {
      type: 'array',
      maxItems: 20,
      description:
        'Replaces the visit reward rules ([] removes them). Every `everyVisits`-th visit the rule counts earns `points` (PointsAdjusted kind reward).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ruleId', 'everyVisits', 'points'],
        properties: {
          ruleId: { type: 'string', example: 'visits-5', description: 'names the rule across versions; unique among all rules' },
          everyVisits: { type: 'integer', minimum: 1, maximum: 10000, example: 5 },
          points: { type: 'integer', minimum: 1, example: 50 },
          kinds: {
            type: 'array',
            items: { type: 'string', enum: ['browse', 'service', 'event', 'pickup', 'purchase'] },
            description: 'visit kinds counted (default: all)',
          },
          sources: {
            type: 'array',
            items: { type: 'string', enum: ['manual', 'scan', 'online'] },
            description: 'visit sources counted (default: all, manual included)',
          },
        },
      },
    },
    cashback: {
      type: 'array',
      maxItems: 20,
      description:
        'Replaces the cashback rules ([] removes them). floor(amount × percent / 100 × the payment’s pointsPerUnit) points (PointsAdjusted kind cashback); never for a manual payment.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ruleId', 'percent'],
        properties: {
          ruleId: { type: 'string', example: 'cashback' },
          percent: { type: 'string', example: '2.5', description: 'decimal string > 0 and ≤ 100' },
          sources: { type: 'array', items: { type: 'string', enum: ['scan', 'online'] }, description: 'default both; "manual" is refused (400)' },
        },
      },
    },
  },
};

@ApiTags('program')
@Controller('program')
export class ProgramController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Access('operator', 'auditor', 'reporter')
  @ApiOperation({ summary: 'Current program settings and version (ETag is the version)' })
  async current(@Res({ passthrough: true }) reply: FastifyReply) {
    const loaded = await this.programs.load(programStream(DEFAULT_PROGRAM_ID));
    if (loaded.state.status !== 'Configured') throw new ProblemException(toProblem({ _tag: 'ProgramNotConfigured' }));
    void reply.header('etag', `"${loaded.state.version}"`);
    return programView(loaded.state, loaded.position);
  }

  @Put()
  @ApiOperation({ summary: 'Change program settings and rules: a new version, in force for events recorded after it. Fields left out keep their value.' })
  @ApiBody({ schema: settingsSchema })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you last saw ("3"); 412 if it changed since' })
  @ApiResponse({ status: 200, description: 'Settings and their version' })
  async configure(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const patch = decodeOrThrow(ProgramSettingsPatchC, body);
    const context = commandContextFor(request, patch, this.clock());
    const accepted = orThrow(await this.commandBus.execute(new ConfigureProgramCommand(patch, parseIfMatch(ifMatch), context)));
    void reply.header('etag', `"${accepted.view.version}"`);
    return respond(reply, accepted);
  }
}

/** `If-Match: "3"` (or W/"3") → 3. Anything else is a 400: a guard that silently does nothing is worse than none. */
function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(value.trim());
  if (!match) {
    throw new ProblemException({
      ...httpProblem(400, 'Invalid If-Match', 'If-Match must be a program version in quotes, such as "3".'),
      errors: [{ path: 'header.If-Match', message: 'expected a quoted version number' }],
    });
  }
  return Number(match[1]);
}
