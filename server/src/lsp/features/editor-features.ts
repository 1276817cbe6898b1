import type {
  CodeAction,
  Connection,
  InitializeParams,
  ServerCapabilities,
} from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import type { BrightRunSettings } from '../../../../common/protocol/lsp.ts';
import type { DatasetDocument } from '../document/dataset-document.ts';
import { throwIfCancelled } from './code-actions/cancellation.ts';
import { CONVERT_KIND } from './code-actions/convert-file.ts';
import type { CodeActionClient } from './code-actions/index.ts';
import { provideCodeActions, resolveCodeAction } from './code-actions/index.ts';
import { documentSymbols } from './document-symbols.ts';
import type { TokenizerLabel } from './inlay-hints.ts';
import { inlayHints } from './inlay-hints.ts';

/** What the features need from the server: its open documents and their settings. */
export interface EditorFeatureHost {
  document(uri: string): DatasetDocument | undefined;
  settings(uri: string): Promise<BrightRunSettings>;
}

/**
 * Code actions, the outline and the token inlay hints, wired to a connection. The server
 * creates one, spreads `capabilities(params)` into its initialize result, calls `register()`,
 * and tells it when a background token count finished (`tokensCounted`).
 */
export class EditorFeatures {
  private client: CodeActionClient = { documentChanges: false, resolveEdit: false };
  private inlayRefresh = false;
  /** The tokenizer of the last finished count per document, for the hint labels. */
  private readonly tokenizers = new Map<string, TokenizerLabel>();

  constructor(
    private readonly connection: Connection,
    private readonly host: EditorFeatureHost,
  ) {}

  capabilities(params: InitializeParams): ServerCapabilities {
    const { textDocument, workspace } = params.capabilities;
    this.client = {
      documentChanges: workspace?.workspaceEdit?.documentChanges === true,
      resolveEdit: textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true,
    };
    this.inlayRefresh = workspace?.inlayHint?.refreshSupport === true;
    return {
      codeActionProvider: {
        codeActionKinds: [CodeActionKind.QuickFix, CONVERT_KIND],
        resolveProvider: true,
      },
      documentSymbolProvider: { label: 'Conversations' },
      inlayHintProvider: true,
    };
  }

  register(): void {
    const { connection, host } = this;
    connection.onCodeAction(async (params, token) => {
      const document = host.document(params.textDocument.uri);
      if (document === undefined) return [];
      throwIfCancelled(token);
      return provideCodeActions(document, params, this.client, token);
    });
    connection.onCodeActionResolve((action: CodeAction, token) =>
      resolveCodeAction(action, (uri) => host.document(uri), this.client, token),
    );
    connection.onDocumentSymbol(({ textDocument }, token) => {
      const document = host.document(textDocument.uri);
      return document === undefined ? [] : documentSymbols(document, token);
    });
    connection.languages.inlayHint.on(async ({ textDocument, range }, token) => {
      const document = host.document(textDocument.uri);
      if (document === undefined) return [];
      const config = await host.settings(document.uri);
      throwIfCancelled(token);
      return inlayHints(
        document,
        range,
        {
          maxSeqLength: config.validation.maxSeqLength,
          tokenizer: this.tokenizers.get(document.uri),
        },
        token,
      );
    });
  }

  /** A background count finished: the hints can show exact figures now. */
  tokensCounted(uri: string, tokenizer: TokenizerLabel): void {
    this.tokenizers.set(uri, tokenizer);
    if (this.inlayRefresh) void this.connection.languages.inlayHint.refresh();
  }

  forget(uri: string): void {
    this.tokenizers.delete(uri);
  }
}
