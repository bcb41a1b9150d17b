import { Body, Controller, Get, Headers, Inject, Put, Req, Res } from '@nestjs/common';
import { Access } from '../http/access';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PROGRAM_ID } from '#ledger-domain/program/program';
import { BodyFrom } from '../docs/from-codec';
import { respond } from '../http/accepted';
import { commandContextFor } from '../http/command-context.factory';
import { decodeOrThrow, orThrow } from '../http/decode';
import { httpProblem, ProblemException, toProblem } from '../http/problem';
import { CLOCK, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { programStream } from '#runtime/streams';
import { ConfigureProgramCommand, ProgramSettingsPatchC, programView } from './configure-program.handler';

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
  @BodyFrom(ProgramSettingsPatchC)
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
