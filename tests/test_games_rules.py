"""The rules of each game, as pure code: tic-tac-toe's whole game tree, Connect Four's lines
in every direction and its full-board draw, hangman's scoring and its commitment."""

import hashlib
from collections import Counter

import pytest

from turnchat.games import REGISTRY, game_named
from turnchat.games.base import FIRST, SECOND, Cheated, Game, IllegalMove
from turnchat.games.connect4 import ConnectFour
from turnchat.games.hangman import MAX_MISSES, Hangman, commitment_of
from turnchat.games.tictactoe import TicTacToe


def play(game: Game, *moves: object) -> Game:
    for move in moves:
        game = game.apply(move)
    return game


# -- the registry ------------------------------------------------------------------------


def test_every_registered_game_loads_under_its_own_name() -> None:
    for name in REGISTRY:
        game = game_named(name)
        assert game is not None and game.name == name
    assert game_named("chess") is None


# -- tic-tac-toe -------------------------------------------------------------------------


def test_tictactoe_game_tree_matches_the_published_counts() -> None:
    """255,168 possible games: X wins 131,184, O wins 77,904, 46,080 draws."""
    endings: Counter[object] = Counter()

    def walk(game: Game) -> None:
        outcome = game.outcome()
        if outcome is not None:
            endings[outcome.winner] += 1
            return
        for move in game.legal_moves():
            walk(game.apply(move))

    walk(TicTacToe.new())
    assert sum(endings.values()) == 255_168
    assert endings == {FIRST: 131_184, SECOND: 77_904, None: 46_080}


@pytest.mark.parametrize(("typed", "cell"), [
    ("1", 1), ("5", 5), ("9", 9), ("a1", 1), ("b2", 5), ("c3", 9), ("C1", 3), ("1c", 3),
    (" a3 ", 7),
])
def test_tictactoe_reads_numbers_and_coordinates(typed: str, cell: int) -> None:
    assert TicTacToe.new().parse_move(typed, bare=True) == cell


@pytest.mark.parametrize("typed", ["0", "10", "d1", "a4", "b", "hello", "55", ""])
def test_tictactoe_leaves_other_lines_alone(typed: str) -> None:
    assert TicTacToe.new().parse_move(typed, bare=True) is None


def test_tictactoe_refuses_a_taken_cell_and_moves_after_the_end() -> None:
    game = play(TicTacToe.new(), 5)
    with pytest.raises(IllegalMove, match=r"Cell 5 \(b2\) is taken"):
        game.apply(5)
    won = play(TicTacToe.new(), 1, 4, 2, 5, 3)
    assert won.outcome() is not None and won.outcome().winner == FIRST
    with pytest.raises(IllegalMove, match="over"):
        won.apply(9)


@pytest.mark.parametrize("move", [0, 10, "5", 5.0, True, None, [5], {"cell": 5}])
def test_tictactoe_refuses_malformed_moves(move: object) -> None:
    with pytest.raises(IllegalMove):
        TicTacToe.new().apply(move)


def test_tictactoe_board_shows_marks_and_free_cells() -> None:
    board = play(TicTacToe.new(), 5, 1, 9).render()
    assert board.splitlines() == [
        "     a   b   c",
        " 1   O | 2 | 3",
        "    ---+---+---",
        " 2   4 | X | 6",
        "    ---+---+---",
        " 3   7 | 8 | X",
    ]


# -- Connect Four ------------------------------------------------------------------------


@pytest.mark.parametrize(("moves", "direction"), [
    ((1, 1, 2, 2, 3, 3, 4), "across"),
    ((7, 6, 7, 6, 7, 6, 7), "up"),
    ((1, 2, 2, 3, 3, 4, 3, 4, 4, 7, 4), "up and right"),
    ((7, 6, 6, 5, 5, 4, 5, 4, 4, 1, 4), "up and left"),
    ((4, 1, 5, 1, 6, 2, 3), "across, closing the gap in the middle"),
])
def test_connect4_four_in_a_row_wins_in_every_direction(
    moves: tuple[int, ...], direction: str
) -> None:
    game = play(ConnectFour.new(), *moves[:-1])
    assert game.outcome() is None, direction
    game = game.apply(moves[-1])
    outcome = game.outcome()
    assert outcome is not None and outcome.winner == FIRST and outcome.how == "four in a row"
    assert game.to_move() is None


def test_connect4_second_player_wins_too() -> None:
    game = play(ConnectFour.new(), 1, 2, 1, 2, 7, 2, 1, 2)
    assert game.outcome() is not None and game.outcome().winner == SECOND


def test_connect4_three_in_a_row_is_not_a_win() -> None:
    game = play(ConnectFour.new(), 1, 1, 2, 2, 3, 3)
    assert game.outcome() is None and game.to_move() == FIRST


def test_connect4_full_board_without_four_is_a_draw() -> None:
    moves = [int(column) for column in "441365675334466335442232661515577771217122"]
    game = play(ConnectFour.new(), *moves[:-1])
    assert game.outcome() is None and game.legal_moves() == [moves[-1]]
    game = game.apply(moves[-1])
    assert game.outcome() is not None and game.outcome().winner is None
    assert "X" in game.render() and "   " not in game.render().split("\n")[1]


def test_connect4_refuses_a_full_column_and_columns_off_the_board() -> None:
    game = play(ConnectFour.new(), 3, 3, 3, 3, 3, 3)
    assert 3 not in game.legal_moves()
    with pytest.raises(IllegalMove, match="Column 3 is full"):
        game.apply(3)
    for move in (0, 8, "3", True):
        with pytest.raises(IllegalMove):
            game.apply(move)
    assert game.parse_move("8", bare=True) is None and game.parse_move("7") == 7


def test_connect4_board_fits_80_columns_and_drops_to_the_bottom() -> None:
    lines = play(ConnectFour.new(), 4, 4).render().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0] == "  1   2   3   4   5   6   7"
    assert lines[-2] == "|   |   |   | X |   |   |   |"
    assert lines[-3] == "|   |   |   | O |   |   |   |"


# -- hangman -----------------------------------------------------------------------------


def start_hangman(word: str) -> tuple[Hangman, Hangman]:
    """(setter's game, guesser's game) after the offer for `word` is accepted."""
    setter, setup = Hangman.offered(word)
    return setter, Hangman.accepted(setup)


def guess(setter: Hangman, guesser: Hangman, typed: str) -> tuple[Hangman, Hangman]:
    """One round: the guesser guesses, the setter's client answers, both apply both."""
    move = guesser.parse_move(typed)
    setter, guesser = setter.apply(move), guesser.apply(move)
    answer = setter.automatic_move()
    return setter.apply(answer), guesser.apply(answer)


def test_hangman_offer_carries_length_and_commitment_but_not_the_word() -> None:
    setter, setup = Hangman.offered("Apple")
    assert setup["length"] == 5 and "apple" not in str(setup)
    opening = setter.opening()
    assert opening is not None and opening["word"] == "apple"
    salt = bytes.fromhex(opening["salt"])
    assert setup["commitment"] == hashlib.sha256(salt + b"apple").hexdigest()


@pytest.mark.parametrize("word", ["", "a", "two words", "café", "x" * 21, "r2d2"])
def test_hangman_refuses_words_it_cannot_play(word: str) -> None:
    with pytest.raises(IllegalMove):
        Hangman.offered(word)


def test_hangman_letters_fill_in_and_finding_the_word_wins() -> None:
    setter, guesser = start_hangman("apple")
    setter, guesser = guess(setter, guesser, "p")
    assert "Word:   _ p p _ _" in guesser.render()
    for letter in "ale":
        setter, guesser = guess(setter, guesser, letter)
    outcome = guesser.outcome()
    assert outcome is not None and outcome.winner == FIRST
    assert guesser.render() == setter.render()
    guesser.check_opening(setter.opening())


def test_hangman_six_misses_hang_the_guesser() -> None:
    setter, guesser = start_hangman("ox")
    for number, letter in enumerate("abcdef", start=1):
        assert guesser.outcome() is None
        setter, guesser = guess(setter, guesser, letter)
        assert f"({number} of {MAX_MISSES})" in guesser.render()
    outcome = guesser.outcome()
    assert outcome is not None and outcome.winner == SECOND and outcome.how == "hanged"
    assert "/ \\" in guesser.render()


def test_hangman_repeated_guesses_are_refused() -> None:
    setter, guesser = start_hangman("apple")
    setter, guesser = guess(setter, guesser, "z")
    setter, guesser = guess(setter, guesser, "p")
    for again in ("z", "p"):
        with pytest.raises(IllegalMove, match="already guessed"):
            guesser.apply({"guess": again})
    setter, guesser = guess(setter, guesser, "mango")
    with pytest.raises(IllegalMove, match="already guessed"):
        guesser.apply({"guess": "mango"})


def test_hangman_whole_word_guesses() -> None:
    setter, guesser = start_hangman("apple")
    assert guesser.parse_move("mango", bare=True) is None  # a bare word is talk
    with pytest.raises(IllegalMove, match="5 letters"):
        guesser.apply(guesser.parse_move("pear"))
    setter, guesser = guess(setter, guesser, "mango")
    assert "Missed: mango" in guesser.render() and guesser.outcome() is None
    setter, guesser = guess(setter, guesser, "apple")
    outcome = guesser.outcome()
    assert outcome is not None and outcome.winner == FIRST
    assert "a p p l e" in guesser.render()
    guesser.check_opening(setter.opening())


def test_hangman_only_the_guesser_types_moves() -> None:
    _, guesser = start_hangman("apple")
    guesser = guesser.apply({"guess": "e"})
    assert guesser.to_move() == SECOND and guesser.parse_move("e") is None
    assert not guesser.is_settled()


@pytest.mark.parametrize("answer", [
    {"positions": [6]}, {"positions": [0]}, {"positions": [1, 1]}, {"positions": "1"},
    {"positions": [True]}, {"right": True}, {"positions": [1], "extra": 1}, [1], None,
])
def test_hangman_malformed_answers_are_refused(answer: object) -> None:
    _, guesser = start_hangman("apple")
    guesser = guesser.apply({"guess": "a"})
    with pytest.raises(IllegalMove):
        guesser.apply(answer)


def test_hangman_an_answer_over_a_found_letter_is_refused_at_once() -> None:
    setter, guesser = start_hangman("apple")
    setter, guesser = guess(setter, guesser, "p")
    guesser = guesser.apply({"guess": "l"})
    with pytest.raises(IllegalMove, match="already found"):
        guesser.apply({"positions": [2]})


def test_hangman_a_word_said_right_against_earlier_answers_is_refused_at_once() -> None:
    setter, guesser = start_hangman("apple")
    setter, guesser = guess(setter, guesser, "z")
    guesser = guesser.apply({"guess": "zebra"})
    with pytest.raises(IllegalMove, match="zebra is right"):
        guesser.apply({"right": True})


def test_hangman_a_lie_about_a_letter_is_exposed_by_the_opening() -> None:
    setter, _ = start_hangman("apple")
    guesser = Hangman.accepted({"length": 5,
                                "commitment": commitment_of("apple", bytes.fromhex(
                                    setter.opening()["salt"]))})
    guesser = guesser.apply({"guess": "e"}).apply({"positions": []})  # e is at 5
    with pytest.raises(Cheated, match="e was not in the word, but it is at position 5"):
        guesser.check_opening(setter.opening())


def test_hangman_a_lie_about_a_word_is_exposed_by_the_opening() -> None:
    setter, guesser = start_hangman("apple")
    guesser = guesser.apply({"guess": "apple"}).apply({"right": False})
    with pytest.raises(Cheated, match="apple was wrong"):
        guesser.check_opening(setter.opening())


def test_hangman_a_changed_word_does_not_open_the_commitment() -> None:
    setter, guesser = start_hangman("apple")
    opening = {**setter.opening(), "word": "mango"}
    with pytest.raises(Cheated, match="not the word it committed to"):
        guesser.check_opening(opening)
    with pytest.raises(Cheated, match="malformed"):
        guesser.check_opening({"word": "apple"})


def test_hangman_a_word_of_another_length_is_exposed() -> None:
    salt = bytes(16)
    guesser = Hangman.accepted({"length": 4, "commitment": commitment_of("apple", salt)})
    with pytest.raises(Cheated, match="promised 4 letters"):
        guesser.check_opening({"word": "apple", "salt": salt.hex()})


@pytest.mark.parametrize("setup", [
    {"length": 1, "commitment": "0" * 64}, {"length": True, "commitment": "0" * 64},
    {"length": 5, "commitment": "xyz"}, {"length": 5}, {},
])
def test_hangman_malformed_offers_are_refused(setup: dict[str, object]) -> None:
    with pytest.raises(IllegalMove):
        Hangman.accepted(setup)


def test_every_board_fits_80_columns() -> None:
    setter, guesser = start_hangman("x" * 20)
    for wrong in "abcdef":
        setter, guesser = guess(setter, guesser, wrong * 20)
    assert guesser.outcome() is not None and "ffff" in guesser.render()
    for game in (TicTacToe.new(), ConnectFour.new(), guesser):
        assert all(len(line) <= 80 for line in game.render().splitlines())
