using Engine.Scratch;

namespace Chapters.Ch24;

/// <summary>24.2 — AddLayer + MulLayer: buy apples and oranges (DLfS 5.4.2).</summary>
public sealed class Ex24_2_AddMulApplesOranges : Exercise
{
    public override string Id => "24.2";
    public override string Title => "AddLayer and MulLayer: apples and oranges (forward and backward)";

    public override void Run(ExerciseContext ctx)
    {
        double apple = 100, appleNum = 2, orange = 150, orangeNum = 3, tax = 1.1;
        var mulAppleLayer = new MulLayer();
        var mulOrangeLayer = new MulLayer();
        var addAppleOrangeLayer = new AddLayer();
        var mulTaxLayer = new MulLayer();

        double applePrice = mulAppleLayer.Forward(apple, appleNum);
        double orangePrice = mulOrangeLayer.Forward(orange, orangeNum);
        double allPrice = addAppleOrangeLayer.Forward(applePrice, orangePrice);
        double price = mulTaxLayer.Forward(allPrice, tax);

        double dprice = 1;
        var (dAllPrice, dTax) = mulTaxLayer.Backward(dprice);
        var (dApplePrice, dOrangePrice) = addAppleOrangeLayer.Backward(dAllPrice);
        var (dOrange, dOrangeNum) = mulOrangeLayer.Backward(dOrangePrice);
        var (dApple, dAppleNum) = mulAppleLayer.Backward(dApplePrice);

        string F(double v) => Ex24_1_MulLayerApples.Fmt(v);
        ctx.Print($"price: {F(price)}");
        ctx.Print($"dApple: {F(dApple)}, dApple_num: {F(dAppleNum)}, dOrange: {F(dOrange)}, dOrange_num: {F(dOrangeNum)}, dTax: {F(dTax)}");
        ctx.Expect("price", "715", F(price));
        ctx.Expect("dApple", "2.2", F(dApple));
        ctx.Expect("dApple_num", "110", F(dAppleNum));
        ctx.Expect("dOrange", "3.3", F(dOrange));
        ctx.Expect("dOrange_num", "165", F(dOrangeNum));
        ctx.Expect("dTax", "650", F(dTax));
    }
}
